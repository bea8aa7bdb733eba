//! Semantic search over a stored analysis: a question embedded with the analysis's own model,
//! documents ranked by cosine, each with the sentence of it that matches best.

use ndarray::{ArrayView1, ArrayView2};
use serde::Serialize;

use crate::analysis::Analysis;
use crate::ingest::Document;
use crate::stats::rank;
use crate::summarise::CentralSentences;
use crate::themes::ThemeId;

/// Which documents a question may find, and how many.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub top: usize,
    /// Hits scoring below this are not listed (see [`floor`]); none lists every hit.
    pub floor: Option<f32>,
    pub theme: Option<ThemeId>,
    pub country: Option<String>,
    pub year: Option<i32>,
    pub doc_type: Option<String>,
}

impl Query {
    /// Whether a document passes the filters (country and type compared without case).
    fn admits(&self, d: &Document, theme: ThemeId) -> bool {
        let same = |a: &Option<String>, b: &Option<String>| {
            b.as_ref().is_none_or(|b| a.as_ref().is_some_and(|a| a.eq_ignore_ascii_case(b)))
        };
        self.theme.is_none_or(|t| t == theme)
            && same(&d.country, &self.country)
            && same(&d.doc_type, &self.doc_type)
            && self.year.is_none_or(|y| d.year == Some(y))
    }
}

/// A document found, as `search` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub rank: usize,
    /// Cosine between the question and the document.
    pub score: f32,
    pub doc_id: String,
    pub path: String,
    pub title: String,
    pub theme_id: ThemeId,
    pub theme_label: String,
    pub country: Option<String>,
    pub date: Option<String>,
    pub source: Option<String>,
    /// The document's central sentence closest to the question, when known.
    pub sentence: Option<String>,
    pub sentence_score: Option<f32>,
}

/// What a question found: the hits listed, and how many of the best `top` were left out for
/// scoring below the floor.
#[derive(Debug, Clone)]
pub struct Found {
    pub hits: Vec<Hit>,
    pub below_floor: usize,
}

/// The documents closest to `question` (a unit vector in the analysis's space), best first, at
/// most `query.top`, among those passing the filters, less those under `query.floor`; `central`
/// gives each document's central sentences (same order as the documents; empty where unknown).
pub fn search(analysis: &Analysis, central: &[CentralSentences], question: ArrayView1<f32>, query: &Query) -> Found {
    let docs = &analysis.corpus.documents;
    let model = &analysis.model;
    let scores = analysis.vectors.dot(&question);
    let admitted: Vec<usize> =
        (0..docs.len()).filter(|&i| query.admits(&docs[i], model.themes[model.assignments[i]].id)).collect();
    let best = rank(scores.view(), admitted, query.top);
    let (listed, below): (Vec<usize>, Vec<usize>) =
        best.into_iter().partition(|&i| query.floor.is_none_or(|floor| scores[i] >= floor));
    let hits = listed
        .into_iter()
        .enumerate()
        .map(|(rank, i)| {
            let d = &docs[i];
            let theme = &model.themes[model.assignments[i]];
            let best = central.get(i).and_then(|c| best_sentence(c, question));
            Hit {
                rank: rank + 1,
                score: scores[i],
                doc_id: d.doc_id.clone(),
                path: d.path.clone(),
                title: d.title.clone(),
                theme_id: theme.id,
                theme_label: theme.label.clone(),
                country: d.country.clone(),
                date: d.date.map(|x| x.to_string()),
                source: d.source.clone(),
                sentence: best.map(|(k, _)| d.text[central[i].spans[k].clone()].to_string()),
                sentence_score: best.map(|(_, s)| s),
            }
        })
        .collect();
    Found { hits, below_floor: below.len() }
}

/// Questions on subjects no page of a development corpus is about, in the languages the labs
/// mostly write in: what they reach in a corpus is what a hit with no bearing on its question
/// scores there (see [`floor`]).
const OFF_TOPIC: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "football world cup final score",
            "how to tune an electric guitar",
            "best science fiction films of the 1980s",
            "poker strategy for beginners",
            "knitting pattern for a wool scarf",
            "changing the engine oil of a car",
            "celebrity wedding gossip",
            "chess opening theory",
        ],
    ),
    (
        "es",
        &[
            "resultados de la liga de fútbol",
            "receta de pastel de chocolate",
            "cómo afinar una guitarra eléctrica",
            "chismes de bodas de famosos",
            "estrategia de póquer para principiantes",
            "mejores películas de ciencia ficción",
        ],
    ),
    (
        "fr",
        &[
            "résultats du championnat de tennis",
            "recette de la tarte aux pommes",
            "comment accorder une guitare électrique",
            "potins sur le mariage des célébrités",
            "stratégie de poker pour débutants",
            "meilleurs films de science-fiction",
        ],
    ),
    (
        "pt",
        &[
            "resultado do campeonato de basquete",
            "receita de bolo de cenoura",
            "como afinar uma guitarra elétrica",
            "fofocas de casamento de celebridades",
            "estratégia de pôquer para iniciantes",
            "melhores filmes de ficção científica",
        ],
    ),
];

/// Every off-topic question, with its language.
pub fn off_topic() -> Vec<(&'static str, &'static str)> {
    OFF_TOPIC.iter().flat_map(|(language, questions)| questions.iter().map(move |q| (*language, *q))).collect()
}

/// The score below which a hit is no evidence in this corpus: the median of the best scores the
/// off-topic questions ([`off_topic`], their vectors `off_topic` as unit rows in the analysis's
/// space) reach among its documents (`vectors`). Half of such questions find nothing better
/// anywhere in the corpus, whatever the model's scale of similarity and however many pages there
/// are (the best of many scores rises with their number). All languages' questions are pooled:
/// the floor of one language alone, chosen for a short question, was as often a neighbour
/// language's and then cut most hits. How it separates relevant pages is in the README's search
/// section.
pub fn floor(vectors: ArrayView2<f32>, off_topic: ArrayView2<f32>) -> Option<f32> {
    if vectors.nrows() == 0 || off_topic.nrows() == 0 {
        return None;
    }
    let scores = off_topic.dot(&vectors.t());
    let mut best: Vec<f32> = scores.rows().into_iter().map(|r| r.iter().copied().fold(f32::MIN, f32::max)).collect();
    best.sort_by(f32::total_cmp);
    Some(best[best.len() / 2])
}

/// The central sentence closest to the question: (its index, cosine).
fn best_sentence(central: &CentralSentences, question: ArrayView1<f32>) -> Option<(usize, f32)> {
    central
        .vectors
        .iter()
        .enumerate()
        .map(|(k, v)| (k, ArrayView1::from(v.as_slice()).dot(&question)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

/// The best `top` documents for each query (unit rows) among `vectors` (unit rows), with no
/// filters: what a query costs once the model has embedded it (the search benchmark).
pub fn top_k(vectors: ArrayView2<f32>, queries: ArrayView2<f32>, top: usize) -> Vec<Vec<usize>> {
    let scores = queries.dot(&vectors.t());
    scores.rows().into_iter().map(|row| rank(row, (0..row.len()).collect(), top)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn top_k_is_the_best_k_in_order() {
        let vectors = array![[1.0f32, 0.0], [0.0, 1.0], [0.6, 0.8], [0.8, 0.6]];
        let queries = array![[1.0f32, 0.0], [0.0, 1.0]];
        assert_eq!(top_k(vectors.view(), queries.view(), 2), vec![vec![0, 3], vec![1, 2]]);
        assert_eq!(top_k(vectors.view(), queries.view(), 10)[0], vec![0, 3, 2, 1]);
    }

    #[test]
    fn the_floor_is_the_median_best_score_of_off_topic_questions() {
        let vectors = array![[1.0f32, 0.0], [0.0, 1.0]];
        let off = array![[0.6f32, 0.8], [0.8, 0.6], [1.0, 0.0]];
        // Best scores 0.8, 0.8, 1.0: the median is 0.8.
        assert_eq!(floor(vectors.view(), off.view()), Some(0.8));
        assert_eq!(floor(vectors.view(), ndarray::Array2::<f32>::zeros((0, 2)).view()), None);
        assert!(off_topic().iter().any(|(language, _)| *language == "es"), "questions in the labs' languages");
    }

    #[test]
    fn filters_compare_without_case() {
        let mut d = crate::ingest::build_document("# T\nText.", "d".into(), "a.txt".into());
        d.country = Some("Paraguay".into());
        d.year = Some(2021);
        let q = Query { country: Some("paraguay".into()), year: Some(2021), ..Query::default() };
        assert!(q.admits(&d, ThemeId(3)));
        assert!(!Query { theme: Some(ThemeId(4)), ..q.clone() }.admits(&d, ThemeId(3)));
        assert!(!Query { year: Some(2020), ..q }.admits(&d, ThemeId(3)));
    }
}
