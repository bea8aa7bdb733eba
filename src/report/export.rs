//! `themes.json`, `documents.csv`, `documents.json` and `run.json`: the contracts other tools
//! read. Every file names a theme by its stable id, and every input file that became a document
//! has a row (an exact duplicate with the theme of the document it repeats).

use std::path::Path;

use serde_json::json;

use super::{write_atomic, ReportError};
use crate::analysis::{Analysis, RunSummary};

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
    write_atomic(&out.join("run.json"), &pretty(&RunSummary::of(analysis)))
}

fn pretty(value: &impl serde::Serialize) -> Vec<u8> {
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
            value["synthesis"] = json!(analysis.summaries.syntheses.get(i));
            if let Some(trend) = analysis.trends.themes.get(i) {
                value["trend"] = json!(trend.direction.map(|d| d.name()));
                value["over_time"] = json!(trend);
            }
            value
        })
        .collect();
    let trends = &analysis.trends;
    json!({
        "themes": themes,
        "over_time": {
            "period": trends.options.period.name(),
            "periods": trends.periods.iter().map(|(p, n)| json!({"period": p, "documents": n})).collect::<Vec<_>>(),
            "undated": trends.undated,
            "min_documents": trends.options.min_documents,
            "false_discovery_rate": trends.options.level,
        },
        "parents": analysis.model.parents.iter().map(|p| {
            let mut value = serde_json::to_value(p).expect("broad areas serialise");
            value["synthesis"] = json!(analysis.summaries.area_syntheses.get(p.id));
            value
        }).collect::<Vec<_>>(),
        "curation": analysis.run.curation,
        "params": analysis.run.params,
        "model": analysis.run.model,
        "label_model": analysis.run.generation.as_ref().map(|g| g.model_id.clone()),
    })
}

/// One row per file:
/// `doc_id,path,title,type,country,continent,date,language,theme_id,theme_label,similarity,duplicate_of,folder,confidence`
/// (confidence: the share of fits with other seeds that put the document with its theme; empty
/// where not measured).
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
        "confidence",
    ])
    .expect("writing to memory cannot fail");
    let model = &analysis.model;
    for row in analysis.files() {
        let (d, i, duplicate_of) = (row.document, row.position, row.duplicate_of);
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
            model.confidence.as_ref().map(|c| format!("{:.2}", c[i])).unwrap_or_default(),
        ])
        .expect("writing to memory cannot fail");
    }
    w.into_inner().expect("writing to memory cannot fail")
}

/// Per file: its theme (by id) and the summary of its document (with provenance).
fn documents_json(analysis: &Analysis) -> serde_json::Value {
    let model = &analysis.model;
    let docs: Vec<serde_json::Value> = analysis
        .files()
        .into_iter()
        .map(|row| {
            let (d, i, duplicate_of) = (row.document, row.position, row.duplicate_of);
            json!({
                "doc_id": d.doc_id,
                "path": d.path,
                "title": d.title,
                "theme_id": model.themes[model.assignments[i]].id,
                "similarity": model.similarities[i],
                "confidence": model.confidence.as_ref().map(|c| c[i]),
                "duplicate_of": duplicate_of,
                "summary": analysis.summaries.documents.get(i).cloned().unwrap_or_default(),
            })
        })
        .collect();
    json!({ "documents": docs })
}
