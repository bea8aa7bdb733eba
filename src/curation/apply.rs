//! The decisions applied to a run's themes, after the clustering has found them and given them
//! their ids, and before they are described.
//!
//! What lasts across refreshes is membership: a theme the analyst decided (the theme a merge
//! made, a split's parts, a pinned theme) keeps every document it held in the previous run that
//! is still in the folder, while new pages join whichever theme the clustering puts them in.
//! Then the decisions apply in the file's order to today's partition: a merge folds any theme
//! still carrying a merged id into the one kept, a split re-clusters the theme's documents while
//! the theme exists, a move puts its documents back where the analyst put them. So a merge stays
//! merged, a split stays split, a moved page stays moved, and a pinned theme loses no member.

use std::collections::{BTreeMap, HashMap, HashSet};

use ndarray::ArrayView2;

use super::{Curation, Decision};
use crate::ingest::Document;
use crate::themes::{self, LabelOrigin, Theme, ThemeError, ThemeId, ThemeModel, ThemeOptions};

/// What applying the decisions did, beyond the partition (which [`apply`] changes in place).
#[derive(Debug, Default)]
pub struct Applied {
    /// Labels the analyst gave, by theme; they replace the extracted ones once themes are
    /// described ([`Applied::label`]).
    labels: BTreeMap<ThemeId, String>,
    /// What was changed by hand in each theme.
    by_hand: BTreeMap<ThemeId, Vec<String>>,
    /// Each decision in effect, in words (for the report's method section).
    pub decisions: Vec<String>,
    /// Decisions that no longer apply, and why: never dropped silently.
    pub notes: Vec<String>,
}

impl Applied {
    /// Gives the analyst's labels and marks the themes changed by hand.
    pub fn label(&self, themes: &mut [Theme]) {
        for theme in themes {
            if let Some(label) = self.labels.get(&theme.id) {
                theme.label = label.clone();
                theme.label_source = LabelOrigin::Analyst;
            }
            theme.by_hand = self.by_hand.get(&theme.id).cloned().unwrap_or_default();
            // Fits with other seeds know nothing of the analyst's decision: a theme made by
            // hand is the analyst's finding, not a tentative one (its stability is still shown).
            theme.tentative &= theme.by_hand.is_empty();
        }
    }
}

/// The previous run's partition, as [`apply`] builds on it.
pub struct Before<'a> {
    /// Each document's theme in the previous run, by path.
    pub themes: &'a HashMap<&'a str, ThemeId>,
    /// Every document keeps its previous theme, not only those of the themes the analyst
    /// decided: a `theme` command's run changes what the command asks and nothing else.
    pub keep_all: bool,
}

/// Applies `curation` to `model`, whose ids are final. `vectors` are the documents' unit
/// vectors.
pub fn apply(
    curation: &Curation,
    documents: &[Document],
    vectors: ArrayView2<f32>,
    model: &mut ThemeModel,
    previous: &Before,
    options: &ThemeOptions,
) -> Result<Applied, ThemeError> {
    let mut applied = Applied::default();
    if curation.decisions.is_empty() && !previous.keep_all {
        return Ok(applied);
    }
    let before: Vec<ThemeId> = model.assignments.iter().map(|&p| model.themes[p].id).collect();
    let mut ids = before.clone();
    if previous.keep_all {
        for (doc, id) in documents.iter().zip(ids.iter_mut()) {
            *id = previous.themes.get(doc.path.as_str()).copied().unwrap_or(*id);
        }
    }
    keep_members(curation, documents, previous.themes, &mut ids);
    // A document is named by its path (which an edit keeps) or its doc_id.
    let position: HashMap<&str, usize> =
        documents.iter().enumerate().flat_map(|(i, d)| [(d.path.as_str(), i), (d.doc_id.as_str(), i)]).collect();
    for decision in &curation.decisions {
        let present: HashSet<ThemeId> = ids.iter().copied().collect();
        let cannot = |why: String| format!("{} no longer applies: {why}", decision.describe());
        match decision {
            Decision::Rename { theme, label } | Decision::Pin { theme, label } => {
                if !present.contains(theme) {
                    applied.notes.push(cannot(format!("theme {theme} is not in this analysis")));
                    continue;
                }
                applied.labels.insert(*theme, label.clone());
                if matches!(decision, Decision::Pin { .. }) {
                    applied.by_hand.entry(*theme).or_default().push("pinned".into());
                }
            }
            Decision::Merge { themes, into, label } => {
                ids.iter_mut().filter(|id| themes.contains(id)).for_each(|id| *id = *into);
                if !ids.contains(into) {
                    applied.notes.push(cannot("none of these themes is in this analysis".into()));
                    continue;
                }
                let others: Vec<String> = themes.iter().filter(|t| *t != into).map(ThemeId::to_string).collect();
                let what =
                    format!("merged with theme{} {}", if others.len() > 1 { "s" } else { "" }, others.join(", "));
                applied.by_hand.entry(*into).or_default().push(what);
                if let Some(label) = label {
                    applied.labels.insert(*into, label.clone());
                }
            }
            Decision::Split { theme, into } => {
                let members: Vec<usize> = (0..ids.len()).filter(|&i| ids[i] == *theme).collect();
                if let Some(taken) = into.iter().find(|t| !members.is_empty() && present.contains(t)) {
                    // A hand-edited file may name a part after a theme that exists: splitting
                    // into it would merge with it.
                    applied.notes.push(cannot(format!("theme id {taken} is in use; a split's parts need new ids")));
                    continue;
                }
                if !members.is_empty() {
                    let parts = themes::split_members(documents, vectors, &members, Some(into.len()), options)?;
                    for (&i, &part) in members.iter().zip(&parts) {
                        ids[i] = into[part];
                    }
                } else if !into.iter().any(|t| present.contains(t)) {
                    applied.notes.push(cannot("neither the theme nor its parts are in this analysis".into()));
                    continue;
                }
                for part in into.iter().filter(|t| ids.contains(t)) {
                    applied.by_hand.entry(*part).or_default().push(format!("split from theme {theme}"));
                }
            }
            Decision::Move { documents: moved, to } => {
                if !present.contains(to) {
                    applied.notes.push(cannot(format!(
                        "theme {to} is not in this analysis; the documents stay where the clustering put them"
                    )));
                    continue;
                }
                let found: Vec<usize> = moved.iter().filter_map(|d| position.get(d.as_str()).copied()).collect();
                if found.len() < moved.len() {
                    let gone: Vec<&str> =
                        moved.iter().map(String::as_str).filter(|d| !position.contains_key(d)).collect();
                    applied.notes.push(cannot(format!(
                        "{} no longer in the folder ({})",
                        crate::plural(gone.len(), "document"),
                        gone.join(", ")
                    )));
                }
                found.iter().for_each(|&i| ids[i] = *to);
                if !found.is_empty() {
                    let what = format!("{} put here by hand", crate::plural(found.len(), "document"));
                    applied.by_hand.entry(*to).or_default().push(what);
                }
            }
        }
        // Reached only by a decision that applies (the others have said why and moved on).
        applied.decisions.push(decision.describe());
    }
    if ids != before {
        *model = themes::regroup(documents, vectors, model, &ids, options)?;
    }
    Ok(applied)
}

/// Puts back into each theme the analyst decided (see [`Curation::curated_and_retired`]) the
/// documents it held in the previous run, following merges made since (a document of a merged
/// theme belongs to the theme it went into).
fn keep_members(curation: &Curation, documents: &[Document], previous: &HashMap<&str, ThemeId>, ids: &mut [ThemeId]) {
    let curated = curation.curated();
    let mut merged_into: HashMap<ThemeId, ThemeId> = HashMap::new();
    for decision in &curation.decisions {
        if let Decision::Merge { themes, into, .. } = decision {
            for target in merged_into.values_mut().filter(|t| themes.contains(t)) {
                *target = *into;
            }
            for t in themes {
                merged_into.insert(*t, *into);
            }
        }
    }
    for (doc, id) in documents.iter().zip(ids.iter_mut()) {
        let Some(&was) = previous.get(doc.path.as_str()) else { continue };
        let now = merged_into.get(&was).copied().unwrap_or(was);
        if curated.contains(&now) {
            *id = now;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::build_document;
    use ndarray::{array, Array2};

    /// Eight documents in three tight groups of directions, and a model whose themes are `ids`.
    fn setup(ids: &[u32]) -> (Vec<Document>, Array2<f32>, ThemeModel) {
        let docs: Vec<Document> = (0..8)
            .map(|i| {
                build_document(
                    &format!("# Page {i}\nSome text about subject {i}."),
                    format!("d{i}"),
                    format!("{i}.txt"),
                )
            })
            .collect();
        let mut vectors = array![
            [1.0, 0.1, 0.0],
            [1.0, 0.0, 0.1],
            [0.9, 0.1, 0.1],
            [0.0, 1.0, 0.1],
            [0.1, 1.0, 0.0],
            [0.1, 0.9, 0.1],
            [0.0, 0.1, 1.0],
            [0.1, 0.0, 1.0f32]
        ];
        crate::embed::normalize_rows(&mut vectors);
        let empty = ThemeModel {
            themes: vec![],
            parents: vec![],
            assignments: vec![],
            similarities: vec![],
            confidence: None,
            centroids: Array2::zeros((0, 3)),
            means: Array2::zeros((0, 3)),
            tried: vec![],
            stability: None,
            fits: vec![],
        };
        let ids: Vec<ThemeId> = ids.iter().copied().map(ThemeId).collect();
        let model = themes::regroup(&docs, vectors.view(), &empty, &ids, &ThemeOptions::default()).unwrap();
        (docs, vectors, model)
    }

    fn ids_of(model: &ThemeModel) -> Vec<u32> {
        model.assignments.iter().map(|&p| model.themes[p].id.0).collect()
    }

    #[test]
    fn decided_themes_keep_their_previous_members_through_merges() {
        // The clustering drifted document 2 from theme 1 to theme 3; themes 1 and 2 were merged
        // into 2, and theme 3 pinned.
        let (docs, vectors, mut model) = setup(&[1, 1, 3, 2, 2, 2, 3, 3]);
        let before: HashMap<&str, ThemeId> =
            (0..8).map(|i| (docs[i].path.as_str(), ThemeId([1, 1, 1, 2, 2, 2, 3, 3][i]))).collect();
        let curation = Curation {
            decisions: vec![
                Decision::Merge { themes: vec![ThemeId(1), ThemeId(2)], into: ThemeId(2), label: None },
                Decision::Pin { theme: ThemeId(3), label: "Pinned".into() },
            ],
        };
        let previous = Before { themes: &before, keep_all: false };
        let applied = apply(&curation, &docs, vectors.view(), &mut model, &previous, &ThemeOptions::default()).unwrap();
        assert_eq!(ids_of(&model), vec![2, 2, 2, 2, 2, 2, 3, 3]);
        assert!(applied.notes.is_empty(), "{:?}", applied.notes);
        applied.label(&mut model.themes);
        let theme = |id| model.themes.iter().find(|t| t.id == ThemeId(id)).unwrap();
        assert_eq!((theme(3).label.as_str(), theme(3).label_source), ("Pinned", LabelOrigin::Analyst));
        assert_eq!(theme(2).by_hand, vec!["merged with theme 1".to_string()]);
        assert_eq!(theme(2).size, 6);
    }

    #[test]
    fn a_split_makes_its_parts_once_and_moves_hold() {
        let (docs, vectors, mut model) = setup(&[1, 1, 1, 1, 1, 1, 3, 3]);
        let curation = Curation {
            decisions: vec![
                Decision::Split { theme: ThemeId(1), into: vec![ThemeId(7), ThemeId(8)] },
                Decision::Move { documents: vec!["d6".into()], to: ThemeId(8) },
            ],
        };
        let none = HashMap::new();
        let previous = Before { themes: &none, keep_all: false };
        let options = ThemeOptions::default();
        apply(&curation, &docs, vectors.view(), &mut model, &previous, &options).unwrap();
        let ids = ids_of(&model);
        assert_eq!(ids[6], 8, "moved");
        assert!(ids[..3].iter().all(|&i| i == ids[0]) && ids[3..6].iter().all(|&i| i == ids[3]), "{ids:?}");
        assert_ne!(ids[0], ids[3], "the two groups of theme 1 are its two parts: {ids:?}");
        assert!(ids.iter().all(|i| [3, 7, 8].contains(i)), "theme 1 is gone: {ids:?}");
    }

    #[test]
    fn what_can_no_longer_apply_is_said() {
        let (docs, vectors, mut model) = setup(&[1, 1, 1, 2, 2, 2, 3, 3]);
        let curation = Curation {
            decisions: vec![
                Decision::Rename { theme: ThemeId(9), label: "Gone".into() },
                Decision::Move { documents: vec!["d0".into(), "deleted".into()], to: ThemeId(2) },
                Decision::Move { documents: vec!["d1".into()], to: ThemeId(9) },
            ],
        };
        let none = HashMap::new();
        let previous = Before { themes: &none, keep_all: false };
        let applied = apply(&curation, &docs, vectors.view(), &mut model, &previous, &ThemeOptions::default()).unwrap();
        assert_eq!(applied.notes.len(), 3, "{:?}", applied.notes);
        assert!(applied.notes[0].contains("theme 9 is not in this analysis"));
        assert!(applied.notes[1].contains("1 document no longer in the folder (deleted)"), "{:?}", applied.notes);
        assert_eq!(ids_of(&model), vec![2, 1, 1, 2, 2, 2, 3, 3], "the found document moved, the other stayed");
    }
}
