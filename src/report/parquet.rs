//! `documents.parquet` and `themes.parquet`: the analysis for polars, pandas and DuckDB, with
//! each document's vector as a fixed-size list of float32.

use std::sync::Arc;

use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::{ArrayRef, FixedSizeListArray, Float32Array, RecordBatch, StringArray, UInt32Array, UInt64Array};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;

use crate::analysis::Analysis;

/// Errors of building a Parquet file (they would be bugs: the data is made here).
#[derive(Debug, thiserror::Error)]
#[error("parquet: {0}")]
pub struct ParquetError(String);

fn err(e: impl std::fmt::Display) -> ParquetError {
    ParquetError(e.to_string())
}

fn strings<'a>(values: impl Iterator<Item = Option<&'a str>>) -> ArrayRef {
    Arc::new(values.collect::<StringArray>())
}

fn string_lists<'a>(lists: impl Iterator<Item = &'a [String]>) -> ArrayRef {
    let mut builder = ListBuilder::new(StringBuilder::new());
    for list in lists {
        for item in list {
            builder.values().append_value(item);
        }
        builder.append(true);
    }
    Arc::new(builder.finish())
}

fn to_bytes(batch: RecordBatch) -> Result<Vec<u8>, ParquetError> {
    let mut out = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut out, batch.schema(), None).map_err(err)?;
    writer.write(&batch).map_err(err)?;
    writer.close().map_err(err)?;
    Ok(out)
}

/// Every column of `documents.csv`, typed, plus `vector`; a row per file.
pub fn documents(analysis: &Analysis) -> Result<Vec<u8>, ParquetError> {
    let model = &analysis.model;
    let rows = analysis.files();
    let dim = analysis.vectors.ncols();
    let text = |f: fn(&crate::ingest::Document) -> Option<&str>| strings(rows.iter().map(|r| f(r.document)));
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("doc_id", text(|d| Some(&d.doc_id))),
        ("path", text(|d| Some(&d.path))),
        ("title", text(|d| Some(&d.title))),
        ("type", text(|d| d.doc_type.as_deref())),
        ("country", text(|d| d.country.as_deref())),
        ("continent", text(|d| d.continent.as_deref())),
        (
            "date",
            strings(
                rows.iter()
                    .map(|r| r.document.date.map(|x| x.to_string()))
                    .collect::<Vec<_>>()
                    .iter()
                    .map(Option::as_deref),
            ),
        ),
        ("language", text(|d| d.language.as_deref())),
        (
            "theme_id",
            Arc::new(rows.iter().map(|r| model.themes[model.assignments[r.position]].id.0).collect::<UInt32Array>()),
        ),
        ("theme_label", strings(rows.iter().map(|r| Some(model.themes[model.assignments[r.position]].label.as_str())))),
        ("similarity", Arc::new(rows.iter().map(|r| model.similarities[r.position]).collect::<Float32Array>())),
        ("duplicate_of", strings(rows.iter().map(|r| r.duplicate_of))),
        ("folder", strings(rows.iter().map(|r| r.document.folder()).collect::<Vec<_>>().iter().map(Option::as_deref))),
        (
            "confidence",
            Arc::new(rows.iter().map(|r| model.confidence.as_ref().map(|c| c[r.position])).collect::<Float32Array>()),
        ),
    ];
    let values: Float32Array = rows.iter().flat_map(|r| analysis.vectors.row(r.position).to_vec()).collect();
    let item = Arc::new(Field::new("item", DataType::Float32, false));
    let vector = FixedSizeListArray::try_new(item.clone(), dim as i32, Arc::new(values), None).map_err(err)?;
    let mut fields: Vec<Field> =
        columns.iter().map(|(name, array)| Field::new(*name, array.data_type().clone(), true)).collect();
    fields.push(Field::new("vector", DataType::FixedSizeList(item, dim as i32), false));
    let mut arrays: Vec<ArrayRef> = columns.into_iter().map(|(_, a)| a).collect();
    arrays.push(Arc::new(vector));
    to_bytes(RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).map_err(err)?)
}

/// A row per theme: `id, label, keywords, size, parent, name, places`.
pub fn themes(analysis: &Analysis) -> Result<Vec<u8>, ParquetError> {
    let themes = &analysis.model.themes;
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("id", Arc::new(themes.iter().map(|t| t.id.0).collect::<UInt32Array>())),
        ("label", strings(themes.iter().map(|t| Some(t.label.as_str())))),
        ("keywords", string_lists(themes.iter().map(|t| t.keywords.as_slice()))),
        ("size", Arc::new(themes.iter().map(|t| t.size as u64).collect::<UInt64Array>())),
        ("parent", Arc::new(themes.iter().map(|t| t.parent.map(|p| p as u32)).collect::<UInt32Array>())),
        ("name", strings(themes.iter().map(|t| t.named_as.as_ref().map(|n| n.name.as_str())))),
        ("places", string_lists(themes.iter().map(|t| t.places.as_slice()))),
        ("subjects", string_lists(themes.iter().map(|t| t.subjects.as_slice()))),
    ];
    let fields: Vec<Field> =
        columns.iter().map(|(name, array)| Field::new(*name, array.data_type().clone(), true)).collect();
    let arrays: Vec<ArrayRef> = columns.into_iter().map(|(_, a)| a).collect();
    to_bytes(RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).map_err(err)?)
}
