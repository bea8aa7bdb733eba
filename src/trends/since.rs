//! What changed since the previous run on the same output folder, as an analyst reads it: what
//! the new pages are about, and which countries' narratives moved.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::ingest::Document;
use crate::stats::js_similarity;
use crate::themes::ThemeId;

/// A country needs at least this many new pages, and this share of all the new pages, for its
/// move to be reported.
const COUNTRY_MIN_NEW: usize = 3;
const COUNTRY_MIN_SHARE: f64 = 0.05;
/// Countries and themes listed at most.
const LISTED: usize = 8;

/// The previous run's analysis, as far as this needs it: each document's theme by path.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PreviousThemes {
    pub documents: Vec<String>,
    pub assignments: Vec<ThemeId>,
}

/// What the pages that arrived since the previous run are about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SinceLast {
    /// When the previous run finished.
    pub previous_run: String,
    pub new_documents: usize,
    /// The themes the new pages joined, most new pages first.
    pub joined: Vec<Joined>,
    /// Countries with many new pages, and how far their mix of themes moved.
    pub countries: Vec<CountryMove>,
}

/// New pages in one theme, against the theme's share of the documents before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Joined {
    pub theme_id: ThemeId,
    pub new: usize,
    /// Share of the new pages in this theme …
    pub share_of_new: f64,
    /// … and of the previous run's documents (0 for a theme that did not exist).
    pub share_before: f64,
    /// Share of the theme's documents that are new.
    pub new_share_of_theme: f64,
}

/// One country's documents before and after the new pages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountryMove {
    pub country: String,
    pub new: usize,
    pub before: usize,
    pub after: usize,
    /// Jensen-Shannon divergence (base 2, 0..1) between its theme shares before and after.
    pub divergence: f64,
    /// The theme whose share of the country's documents grew most, and by how much.
    pub gained: Option<(ThemeId, f64)>,
}

impl SinceLast {
    /// `documents` and their theme ids now; `new` the paths that arrived since `previous`.
    pub fn between(
        previous_run: &str,
        previous: &PreviousThemes,
        documents: &[Document],
        themes_now: &[ThemeId],
        new: &HashSet<&str>,
    ) -> SinceLast {
        let is_new: Vec<bool> = documents.iter().map(|d| new.contains(d.path.as_str())).collect();
        let new_documents = is_new.iter().filter(|&&b| b).count();
        let mut before: HashMap<ThemeId, usize> = HashMap::new();
        previous.assignments.iter().for_each(|&t| *before.entry(t).or_default() += 1);
        let mut now_new: BTreeMap<ThemeId, usize> = BTreeMap::new();
        let mut now_all: HashMap<ThemeId, usize> = HashMap::new();
        for (&t, &n) in themes_now.iter().zip(&is_new) {
            *now_all.entry(t).or_default() += 1;
            if n {
                *now_new.entry(t).or_default() += 1;
            }
        }
        let old_total = previous.assignments.len().max(1) as f64;
        let mut joined: Vec<Joined> = now_new
            .into_iter()
            .map(|(theme_id, n)| Joined {
                theme_id,
                new: n,
                share_of_new: n as f64 / new_documents.max(1) as f64,
                share_before: before.get(&theme_id).copied().unwrap_or(0) as f64 / old_total,
                new_share_of_theme: n as f64 / now_all[&theme_id] as f64,
            })
            .collect();
        joined.sort_by(|a, b| b.new.cmp(&a.new).then(a.theme_id.cmp(&b.theme_id)));
        SinceLast {
            previous_run: previous_run.to_string(),
            new_documents,
            joined,
            countries: country_moves(previous, documents, themes_now, &is_new, new_documents),
        }
    }
}

fn country_moves(
    previous: &PreviousThemes,
    documents: &[Document],
    themes_now: &[ThemeId],
    is_new: &[bool],
    new_documents: usize,
) -> Vec<CountryMove> {
    let country_of: HashMap<&str, &str> =
        documents.iter().filter_map(|d| d.country.as_deref().map(|c| (d.path.as_str(), c))).collect();
    let mut new_by_country: HashMap<&str, usize> = HashMap::new();
    for (d, _) in documents.iter().zip(is_new).filter(|(_, &n)| n) {
        if let Some(c) = d.country.as_deref() {
            *new_by_country.entry(c).or_default() += 1;
        }
    }
    let least = COUNTRY_MIN_NEW.max((COUNTRY_MIN_SHARE * new_documents as f64).ceil() as usize);
    let mut moves: Vec<CountryMove> = new_by_country
        .into_iter()
        .filter(|&(_, n)| n >= least)
        .map(|(country, n)| {
            let mut before: BTreeMap<ThemeId, f64> = BTreeMap::new();
            for (path, &t) in previous.documents.iter().zip(&previous.assignments) {
                if country_of.get(path.as_str()) == Some(&country) {
                    *before.entry(t).or_default() += 1.0;
                }
            }
            let mut after: BTreeMap<ThemeId, f64> = BTreeMap::new();
            for (d, &t) in documents.iter().zip(themes_now) {
                if d.country.as_deref() == Some(country) {
                    *after.entry(t).or_default() += 1.0;
                }
            }
            let (b_total, a_total) = (before.values().sum::<f64>(), after.values().sum::<f64>());
            let ids: Vec<ThemeId> = before
                .keys()
                .chain(after.keys())
                .copied()
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            let share =
                |m: &BTreeMap<ThemeId, f64>, total: f64, t: &ThemeId| m.get(t).copied().unwrap_or(0.0) / total.max(1.0);
            let p: Vec<f64> = ids.iter().map(|t| share(&before, b_total, t)).collect();
            let q: Vec<f64> = ids.iter().map(|t| share(&after, a_total, t)).collect();
            let gained = ids
                .iter()
                .zip(p.iter().zip(&q))
                .map(|(&t, (p, q))| (t, q - p))
                .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
                .filter(|&(_, d)| d > 0.0);
            CountryMove {
                country: country.to_string(),
                new: n,
                before: b_total as usize,
                after: a_total as usize,
                divergence: if b_total > 0.0 { 1.0 - js_similarity(&p, &q) } else { 1.0 },
                gained,
            }
        })
        .collect();
    moves.sort_by(|a, b| b.new.cmp(&a.new).then_with(|| a.country.cmp(&b.country)));
    moves.truncate(LISTED);
    moves
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(path: &str, country: &str) -> Document {
        let mut d = crate::ingest::build_document("Text.", path.into(), path.into());
        d.country = Some(country.into());
        d
    }

    /// Ten old pages (Kenya and Peru, themes 1 and 2), then five new Kenyan pages on a new
    /// theme 3: the section says what they joined and that Kenya's narrative moved.
    #[test]
    fn new_pages_of_one_subject_are_named() {
        let mut docs: Vec<Document> =
            (0..10).map(|i| doc(&format!("old{i}"), if i < 5 { "Kenya" } else { "Peru" })).collect();
        let previous = PreviousThemes {
            documents: docs.iter().map(|d| d.path.clone()).collect(),
            assignments: (0..10).map(|i| ThemeId(1 + (i % 2) as u32)).collect(),
        };
        docs.extend((0..5).map(|i| doc(&format!("new{i}"), "Kenya")));
        let mut now = previous.assignments.clone();
        now.extend([ThemeId(3); 5]);
        let new: HashSet<&str> = docs[10..].iter().map(|d| d.path.as_str()).collect();
        let s = SinceLast::between("then", &previous, &docs, &now, &new);
        assert_eq!(s.new_documents, 5);
        assert_eq!(s.joined.len(), 1);
        assert_eq!((s.joined[0].theme_id, s.joined[0].new, s.joined[0].share_before), (ThemeId(3), 5, 0.0));
        assert_eq!(s.joined[0].new_share_of_theme, 1.0);
        assert_eq!(s.countries.len(), 1, "only Kenya has new pages");
        let kenya = &s.countries[0];
        assert_eq!((kenya.country.as_str(), kenya.before, kenya.after), ("Kenya", 5, 10));
        assert!(kenya.divergence > 0.2, "{}", kenya.divergence);
        assert_eq!(kenya.gained.map(|g| g.0), Some(ThemeId(3)));
    }
}
