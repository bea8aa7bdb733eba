//! `themes.json`, `documents.csv` and `run.json`: the contracts other tools read.

use std::path::Path;

use serde_json::json;

use super::write_atomic;
use crate::analyze::{Analysis, AnalyzeError, AnalyzeOptions};
use crate::themes::ThemeCount;

/// Writes every export and returns the run summary (also written as `run.json`).
pub fn write_all(out: &Path, analysis: &Analysis, options: &AnalyzeOptions) -> Result<serde_json::Value, AnalyzeError> {
    let params = json!({
        "themes": match options.themes.count { ThemeCount::Auto => json!("auto"), ThemeCount::Fixed(n) => json!(n) },
        "seed": options.themes.seed,
        "max_tokens_per_doc": options.max_tokens_per_doc,
        "taxonomy": options.taxonomy.as_ref().map(|p| p.display().to_string()),
        "k_tried": analysis.model.tried.iter().map(|(k, s)| json!({"k": k, "silhouette": s})).collect::<Vec<_>>(),
    });
    let themes = json!({
        "themes": analysis.model.themes,
        "parents": analysis.model.parents,
        "params": params,
        "model": analysis.model_name,
    });
    write_atomic(
        &out.join("themes.json"),
        serde_json::to_string_pretty(&themes).expect("JSON values serialise").as_bytes(),
    )?;
    write_atomic(&out.join("documents.csv"), &documents_csv(analysis))?;
    let docs = &analysis.corpus.documents;
    let summary = json!({
        "finished": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "input": options.input.display().to_string(),
        "documents": {
            "total": docs.len(),
            "embedded": analysis.embedded,
            "cached": docs.len() - analysis.embedded,
            "duplicates": analysis.corpus.duplicates.len(),
            "skipped": analysis.corpus.skipped.len(),
        },
        "themes": {"count": analysis.model.themes.len(), "parents": analysis.model.parents.len()},
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
    Ok(summary)
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
