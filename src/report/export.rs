//! `themes.json`, `documents.csv`, `documents.json` and `run.json`: the contracts other tools
//! read. Every file names a theme by its stable id, and every input file that became a document
//! has a row (an exact duplicate with the theme of the document it repeats).

use std::path::Path;

use serde_json::json;

use super::{write_atomic, ReportError};
use crate::analysis::Analysis;
use crate::ingest::Document;

/// Writes `themes.json`, `documents.csv`, `documents.json`, `documents.parquet` and
/// `themes.parquet`.
pub fn write_exports(out: &Path, analysis: &Analysis) -> Result<(), ReportError> {
    write_atomic(&out.join("themes.json"), &pretty(&themes_json(analysis)))?;
    write_atomic(&out.join("documents.csv"), &documents_csv(analysis))?;
    write_atomic(&out.join("documents.json"), &pretty(&documents_json(analysis)))?;
    write_atomic(&out.join("documents.parquet"), &super::parquet::documents(analysis)?)?;
    write_atomic(&out.join("themes.parquet"), &super::parquet::themes(analysis)?)
}

/// Writes `run.json`: the run's own account.
pub fn write_run_json(out: &Path, analysis: &Analysis) -> Result<(), ReportError> {
    write_atomic(&out.join("run.json"), &pretty(&run_summary(analysis)))
}

fn pretty(value: &serde_json::Value) -> Vec<u8> {
    serde_json::to_vec_pretty(value).expect("JSON values serialise")
}

fn themes_json(analysis: &Analysis) -> serde_json::Value {
    let themes: Vec<serde_json::Value> = analysis
        .model
        .themes
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let mut value = serde_json::to_value(t).expect("themes serialise");
            value["summary"] = json!(analysis.summaries.themes.get(i).cloned().unwrap_or_default());
            value
        })
        .collect();
    json!({
        "themes": themes,
        "parents": analysis.model.parents,
        "params": analysis.run.params,
        "model": analysis.run.model,
    })
}

/// Every file that became a document: the analysed documents, then the exact duplicates, each
/// with its position in the analysis (a duplicate: its original's) and the original's id.
pub(super) fn rows(analysis: &Analysis) -> Vec<(&Document, usize, Option<&str>)> {
    let corpus = &analysis.corpus;
    let position: std::collections::HashMap<&str, usize> =
        corpus.documents.iter().enumerate().map(|(i, d)| (d.doc_id.as_str(), i)).collect();
    let documents = corpus.documents.iter().enumerate().map(|(i, d)| (d, i, None));
    let duplicates = corpus.duplicates.iter().filter_map(|dup| {
        position.get(dup.duplicate_of.as_str()).map(|&i| (&dup.document, i, Some(dup.duplicate_of.as_str())))
    });
    documents.chain(duplicates).collect()
}

/// One row per file:
/// `doc_id,path,title,type,country,continent,date,language,theme_id,theme_label,similarity,duplicate_of,folder`.
fn documents_csv(analysis: &Analysis) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "doc_id",
        "path",
        "title",
        "type",
        "country",
        "continent",
        "date",
        "language",
        "theme_id",
        "theme_label",
        "similarity",
        "duplicate_of",
        "folder",
    ])
    .expect("writing to memory cannot fail");
    let model = &analysis.model;
    for (d, i, duplicate_of) in rows(analysis) {
        let theme = &model.themes[model.assignments[i]];
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        w.write_record([
            d.doc_id.clone(),
            d.path.clone(),
            d.title.clone(),
            opt(&d.doc_type),
            opt(&d.country),
            opt(&d.continent),
            d.date.map(|x| x.to_string()).unwrap_or_default(),
            opt(&d.language),
            theme.id.to_string(),
            theme.label.clone(),
            format!("{:.4}", model.similarities[i]),
            duplicate_of.unwrap_or_default().to_string(),
            d.folder().unwrap_or_default(),
        ])
        .expect("writing to memory cannot fail");
    }
    w.into_inner().expect("writing to memory cannot fail")
}

/// Per file: its theme (by id) and the summary of its document (with provenance).
fn documents_json(analysis: &Analysis) -> serde_json::Value {
    let model = &analysis.model;
    let docs: Vec<serde_json::Value> = rows(analysis)
        .into_iter()
        .map(|(d, i, duplicate_of)| {
            json!({
                "doc_id": d.doc_id,
                "path": d.path,
                "title": d.title,
                "theme_id": model.themes[model.assignments[i]].id,
                "similarity": model.similarities[i],
                "duplicate_of": duplicate_of,
                "summary": analysis.summaries.documents.get(i).cloned().unwrap_or_default(),
            })
        })
        .collect();
    json!({ "documents": docs })
}

/// The run summary: `run.json`, and what `history` lists.
pub fn run_summary(analysis: &Analysis) -> serde_json::Value {
    let run = &analysis.run;
    let corpus = &analysis.corpus;
    let docs = corpus.documents.len();
    json!({
        "finished": run.finished,
        "input": run.params.input,
        "previous_run": run.previous_run,
        "documents": {
            "total": docs,
            "files": docs + corpus.duplicates.len(),
            "new": run.changes.new.len(),
            "changed": run.changes.changed.len(),
            "removed": run.changes.removed.len(),
            "unchanged": run.changes.unchanged,
            "embedded": run.embedded,
            "cached": docs - run.embedded.min(docs),
            "parsed": run.parsed,
            "duplicates": corpus.duplicates.len(),
            "skipped": corpus.skipped.len(),
        },
        "themes": {
            "count": analysis.model.themes.len(),
            "parents": analysis.model.parents.len(),
            "kept": run.continuity.kept.len(),
            "new": run.continuity.new.len(),
            "retired": run.continuity.retired.len(),
            "catch_all": analysis.model.themes.iter().filter(|t| t.catch_all).count(),
            "stability": run.params.stability,
        },
        "changes": {"documents": run.changes, "themes": run.continuity},
        "model": run.model,
        "model_id": run.model_id,
        "params": run.params,
        "seconds": run.seconds,
        "seconds_by_stage": run.seconds_by_stage.iter().map(|(s, t)| (s.clone(), json!(t))).collect::<serde_json::Map<_, _>>(),
        "peak_rss_mb_by_stage": run.peak_mb_by_stage.iter().map(|(s, m)| (s.clone(), json!(m.round()))).collect::<serde_json::Map<_, _>>(),
        "notes": run.notes,
        "warnings": corpus.warnings(),
    })
}
