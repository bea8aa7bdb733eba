//! `themes.json`, `documents.csv` and `run.json`: the contracts other tools read.

use std::path::Path;

use serde_json::json;

use super::write_atomic;
use crate::analyze::{Analysis, AnalyzeError, AnalyzeOptions};
use crate::themes::ThemeCount;

/// The parameters of a run, as recorded in `themes.json`, `run.json` and the report.
pub fn params(analysis: &Analysis, options: &AnalyzeOptions) -> serde_json::Value {
    json!({
        "themes": match options.themes.count { ThemeCount::Auto => json!("auto"), ThemeCount::Fixed(n) => json!(n) },
        "seed": options.themes.seed,
        "backend": options.backend.name(),
        "multilingual": !options.themes.center_languages,
        "max_tokens_per_doc": options.max_tokens_per_doc,
        "taxonomy": options.taxonomy.as_ref().map(|p| p.display().to_string()),
        "k_tried": analysis.model.tried.iter().map(|(k, s)| json!({"k": k, "silhouette": s})).collect::<Vec<_>>(),
    })
}

/// Writes every export and returns the run summary (also written as `run.json`).
pub fn write_all(out: &Path, analysis: &Analysis, options: &AnalyzeOptions) -> Result<serde_json::Value, AnalyzeError> {
    let params = params(analysis, options);
    let theme_list: Vec<serde_json::Value> = analysis
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
    let themes = json!({
        "themes": theme_list,
        "parents": analysis.model.parents,
        "params": params,
        "model": analysis.model_name,
    });
    write_atomic(
        &out.join("themes.json"),
        serde_json::to_string_pretty(&themes).expect("JSON values serialise").as_bytes(),
    )?;
    write_atomic(&out.join("documents.csv"), &documents_csv(analysis))?;
    write_atomic(&out.join("documents.json"), &documents_json(analysis))?;
    let docs = &analysis.corpus.documents;
    let summary = json!({
        "finished": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "input": options.input.display().to_string(),
        "previous_run": analysis.previous_run,
        "documents": {
            "total": docs.len(),
            "new": analysis.changes.new.len(),
            "changed": analysis.changes.changed.len(),
            "removed": analysis.changes.removed.len(),
            "unchanged": analysis.changes.unchanged,
            "embedded": analysis.embedded,
            "cached": docs.len() - analysis.embedded,
            "parsed": docs.len() - analysis.corpus.reused,
            "duplicates": analysis.corpus.duplicates.len(),
            "skipped": analysis.corpus.skipped.len(),
        },
        "themes": {
            "count": analysis.model.themes.len(),
            "parents": analysis.model.parents.len(),
            "kept": analysis.continuity.kept.len(),
            "new": analysis.continuity.new.len(),
            "retired": analysis.continuity.retired.len(),
        },
        "changes": {"documents": analysis.changes, "themes": analysis.continuity},
        "model": analysis.model_name,
        "model_id": analysis.model_id,
        "params": params,
        "seconds": analysis.seconds,
        "warnings": analysis.corpus.warnings(),
    });
    write_atomic(
        &out.join("run.json"),
        serde_json::to_string_pretty(&summary).expect("JSON values serialise").as_bytes(),
    )?;
    let generated = summary["finished"].as_str().unwrap_or_default().to_string();
    super::write_reports(out, analysis, params, &generated)?;
    Ok(summary)
}

/// Per document: its theme and its summary sentences (with provenance).
fn documents_json(analysis: &Analysis) -> Vec<u8> {
    let docs: Vec<serde_json::Value> = analysis
        .corpus
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| {
            json!({
                "doc_id": d.doc_id,
                "path": d.path,
                "title": d.title,
                "theme_id": analysis.model.assignments[i],
                "similarity": analysis.model.similarities[i],
                "summary": analysis.summaries.documents.get(i).cloned().unwrap_or_default(),
            })
        })
        .collect();
    serde_json::to_vec_pretty(&json!({ "documents": docs })).expect("JSON values serialise")
}

/// One row per document: `doc_id,path,title,type,country,continent,date,language,theme_id,theme_label,similarity`.
fn documents_csv(analysis: &Analysis) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
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
    ];
    w.write_record(header).expect("writing to memory cannot fail");
    let model = &analysis.model;
    for (i, d) in analysis.corpus.documents.iter().enumerate() {
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
        ])
        .expect("writing to memory cannot fail");
    }
    w.into_inner().expect("writing to memory cannot fail")
}
