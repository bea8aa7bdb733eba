//! The `generate` stage: what the language model is given of each theme, and where its answers
//! are kept (the store, beside the vectors).

use std::collections::HashSet;

use ndarray::{Array2, ArrayView2};

use super::{AnalyzeError, AnalyzeOptions, CachedVectors};
use crate::generate::check::Evidence;
pub(super) use crate::generate::LlmChoice;
use crate::generate::{self, AnswerCache, Brief, GenerateError, Generation, ThemeInput};
use crate::ingest::Corpus;
use crate::summarise::Summaries;
use crate::themes::continuity::{Continuity, PastTheme, KEEP_LABEL};
use crate::themes::describe::TermStats;
use crate::themes::places::Gazetteer;
use crate::themes::{LabelOrigin, ThemeModel};

/// Answers kept in the run's store.
struct StoredAnswers<'c, 'a, 's> {
    vectors: &'c CachedVectors<'a, 's>,
}

impl AnswerCache for StoredAnswers<'_, '_, '_> {
    fn get(&self, key: &str) -> Result<Option<String>, GenerateError> {
        self.vectors.store.borrow().generated(key).map_err(|e| GenerateError::Cache(Box::new(e)))
    }

    fn put(&self, key: &str, answer: &str) -> Result<(), GenerateError> {
        self.vectors.store.borrow().record_generated(key, answer).map_err(|e| GenerateError::Cache(Box::new(e)))
    }
}

/// What the terms of the corpus say, as the labels stage gathered them.
pub(super) struct Terms {
    pub(super) stats: TermStats,
    pub(super) gazetteer: Gazetteer,
}

/// What the run knows of the themes beside the model.
pub(super) struct Known<'a> {
    pub(super) corpus: &'a Corpus,
    pub(super) summaries: &'a Summaries,
    pub(super) terms: &'a Terms,
    pub(super) centres: ArrayView2<'a, f32>,
    pub(super) continuity: &'a Continuity,
    pub(super) past: &'a [PastTheme],
}

/// Labels and describes the themes of `model` with the run's language model (fetched the first
/// time); themes with an analyst's label and catch-alls are not asked about.
pub(super) fn generate_labels(
    model: &mut ThemeModel,
    known: &Known,
    vectors: &CachedVectors,
    options: &AnalyzeOptions,
) -> Result<Generation, AnalyzeError> {
    let Some((path, model_id)) = options.settings.llm.locate()? else { return Ok(Generation::default()) };
    let docs = &known.corpus.documents;
    let stats = &known.terms.stats;
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); model.themes.len()];
    for (i, &p) in model.assignments.iter().enumerate() {
        members[p].push(i);
    }
    for m in &mut members {
        m.sort_by(|&a, &b| model.similarities[b].total_cmp(&model.similarities[a]));
    }
    let unchanged = known.continuity.kept.iter().filter(|k| k.similarity >= KEEP_LABEL).map(|k| k.id);
    let previous = generate::previous_generated(unchanged, known.past);
    let inputs: Vec<Option<ThemeInput>> = model
        .themes
        .iter()
        .enumerate()
        .map(|(p, t)| {
            if t.catch_all || t.label_source == LabelOrigin::Analyst {
                return None;
            }
            // The most central pages' titles, each once (sites repeat a title such as "Authors").
            let mut seen = HashSet::new();
            let titles: Vec<String> = members[p]
                .iter()
                .map(|&i| docs[i].title.trim())
                .filter(|title| !title.is_empty() && seen.insert(title.to_lowercase()))
                .take(generate::prompt::TITLES)
                .map(str::to_string)
                .collect();
            let sentences = known.summaries.themes.get(p).map_or_else(Vec::new, |s| {
                s.iter().take(generate::prompt::SENTENCES).map(|x| x.text.clone()).collect()
            });
            let language = t.languages.iter().max_by_key(|(_, &n)| n).map(|(l, _)| l.clone()).unwrap_or_default();
            let brief = Brief {
                keywords: t.keywords.iter().take(generate::prompt::KEYWORDS).cloned().collect(),
                subjects: t.subjects.clone(),
                places: t.places.clone(),
                titles,
                sentences,
                language,
                themes: Vec::new(),
            };
            let given: Vec<&str> = brief
                .keywords
                .iter()
                .chain(&brief.subjects)
                .chain(&brief.places)
                .chain(&brief.titles)
                .chain(&brief.sentences)
                .map(String::as_str)
                .collect();
            let pages = members[p].iter().map(|&i| &stats.per_doc[i]);
            let evidence = Evidence::new(pages, &t.keywords, &t.subjects, &t.places, &given.join("\n"));
            let previous = previous.get(&t.id).map(|p| (p.label.clone(), p.description.clone()));
            Some(ThemeInput { brief, evidence, previous })
        })
        .collect();
    let answers = StoredAnswers { vectors };
    let gazetteer = &known.terms.gazetteer;
    let is_place = |w: &str| gazetteer.is_place(w, &stats.proper);
    let writes_lower = |w: &str| stats.proper.mostly_lower(w);
    let context = generate::Context {
        centres: known.centres.view(),
        vectors,
        cache: &answers,
        stop: &stats.stop,
        is_place: &is_place,
        writes_lower: &writes_lower,
        progress: options.progress,
    };
    let mut writer = generate::writer(&path)?;
    let name = options.settings.llm.name().unwrap_or_default();
    let mut run = generate::label_themes(&mut model.themes, &inputs, writer.as_mut(), (&name, &model_id), &context)?;
    if !model.parents.is_empty() {
        let (inputs, centres) = area_inputs(model, &members, stats, known.centres);
        let context = generate::Context { centres: centres.view(), ..context };
        generate::label_areas(&mut model.parents, &model.themes, &inputs, writer.as_mut(), &context, &mut run)?;
    }
    Ok(run)
}

/// What the model reads of each broad area (its keywords and its themes' labels and
/// descriptions, as just written) and its pages' evidence; and the areas' unit centres.
/// `members` holds each theme's documents, `centres` each theme's unit centre.
fn area_inputs<'s>(
    model: &ThemeModel,
    members: &[Vec<usize>],
    stats: &'s TermStats,
    centres: ArrayView2<f32>,
) -> (Vec<Option<ThemeInput<'s>>>, Array2<f32>) {
    let children: Vec<Vec<usize>> =
        model.parents.iter().map(|p| p.children.iter().filter_map(|&id| model.position(id)).collect()).collect();
    let sizes: Vec<usize> = model.themes.iter().map(|t| t.size).collect();
    let centres = crate::themes::area_centres(children.iter().map(Vec::as_slice), &sizes, centres);
    let inputs = model
        .parents
        .iter()
        .zip(&children)
        .map(|(area, children)| {
            let mut languages: std::collections::BTreeMap<&str, usize> = Default::default();
            for &c in children {
                for (language, n) in &model.themes[c].languages {
                    *languages.entry(language).or_insert(0) += n;
                }
            }
            let themes: Vec<String> = children
                .iter()
                .map(|&c| {
                    let t = &model.themes[c];
                    t.description.as_ref().map_or_else(|| t.label.clone(), |d| format!("{}: {d}", t.label))
                })
                .collect();
            let brief = Brief {
                keywords: area.keywords.iter().take(generate::prompt::KEYWORDS).cloned().collect(),
                themes,
                language: languages.iter().max_by_key(|(_, &n)| n).map(|(l, _)| l.to_string()).unwrap_or_default(),
                ..Brief::default()
            };
            let pages = children.iter().flat_map(|&c| &members[c]).map(|&i| &stats.per_doc[i]);
            let given = brief.keywords.iter().chain(&brief.themes).cloned().collect::<Vec<_>>().join("\n");
            let evidence = Evidence::new(pages, &area.keywords, &[], &[], &given);
            Some(ThemeInput { brief, evidence, previous: None })
        })
        .collect();
    (inputs, centres)
}
