//! The account of one run that `themescope ingest` prints: counts of files, documents by type,
//! language, continent and year, and warnings by kind. Only the CLI prints it; the library keeps
//! it as plain counts with a [`Display`](std::fmt::Display), so the counting can be tested here.

use std::collections::BTreeMap;
use std::fmt;

use super::Corpus;

/// Counts of one ingest run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub files_seen: usize,
    pub documents: usize,
    pub duplicates: usize,
    pub skipped: usize,
    /// Documents by type, language, continent and year, then warnings by kind: each section's
    /// name and its (value, count) rows, most frequent first, "(none)" for a missing value.
    pub sections: Vec<(&'static str, Vec<(String, usize)>)>,
}

impl Summary {
    pub fn of(corpus: &Corpus) -> Summary {
        let docs = &corpus.documents;
        let mut kinds = count(corpus.skipped.iter().map(|s| Some(format!("skipped: {:?}", s.kind).to_lowercase())));
        for d in docs {
            for w in &d.warnings {
                let kind = w.split([';', '(']).next().unwrap_or(w).trim().to_string();
                *kinds.entry(kind).or_insert(0) += 1;
            }
        }
        if !corpus.duplicates.is_empty() {
            kinds.insert("duplicate".into(), corpus.duplicates.len());
        }
        let sections = vec![
            ("type", count(docs.iter().map(|d| d.doc_type.clone()))),
            ("language", count(docs.iter().map(|d| d.language.clone()))),
            ("continent", count(docs.iter().map(|d| d.continent.clone()))),
            ("year", count(docs.iter().map(|d| d.year.map(|y| y.to_string())))),
            ("warnings", kinds),
        ];
        Summary {
            files_seen: corpus.files_seen,
            documents: docs.len(),
            duplicates: corpus.duplicates.len(),
            skipped: corpus.skipped.len(),
            sections: sections.into_iter().map(|(name, counts)| (name, most_frequent_first(counts))).collect(),
        }
    }
}

fn count(values: impl Iterator<Item = Option<String>>) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for v in values {
        *counts.entry(v.unwrap_or_else(|| "(none)".into())).or_insert(0) += 1;
    }
    counts
}

fn most_frequent_first(counts: BTreeMap<String, usize>) -> Vec<(String, usize)> {
    let mut rows: Vec<_> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    rows
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} files: {} documents, {} duplicates, {} skipped",
            self.files_seen, self.documents, self.duplicates, self.skipped
        )?;
        for (name, rows) in &self.sections {
            writeln!(f, "\n{name}")?;
            for (key, n) in rows {
                writeln!(f, "  {key:<28} {n:>7}")?;
            }
        }
        Ok(())
    }
}

/// Counts of documents by type, language, continent and year, plus warnings by kind, as text.
pub fn summary_table(corpus: &Corpus) -> String {
    Summary::of(corpus).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{build_document, SkipKind, Skipped};

    #[test]
    fn counts_are_most_frequent_first_and_missing_values_are_named() {
        let mut corpus = Corpus::default();
        for (i, text) in ["# A\n[[type:blog]]\nText.", "# B\n[[type:blog]]\nText.", "# C\nText."].iter().enumerate() {
            corpus.documents.push(build_document(text, i.to_string(), format!("{i}.txt")));
        }
        corpus.skipped.push(Skipped { path: "e.txt".into(), kind: SkipKind::Empty, message: String::new() });
        corpus.files_seen = 4;
        let summary = Summary::of(&corpus);
        assert_eq!(summary.sections[0], ("type", vec![("blog".to_string(), 2), ("(none)".to_string(), 1)]));
        assert_eq!(summary.sections[4], ("warnings", vec![("skipped: empty".to_string(), 1)]));
        let table = summary.to_string();
        assert!(table.starts_with("4 files: 3 documents, 0 duplicates, 1 skipped\n\ntype\n  blog "), "{table}");
    }
}
