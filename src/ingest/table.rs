//! Metadata from a table (`--metadata FILE.csv`) for files that carry none: one row per file,
//! named by its path in the input folder or its file name, then any columns (title, country,
//! date, type, language, source, or others). Values the file states itself win.

use std::collections::HashMap;
use std::path::Path;

use super::parse::Metadata;

/// Columns that name the file a row is about, in the order they are looked for.
const FILE_COLUMNS: &[&str] = &["path", "file", "filename", "file_name", "name"];

/// Metadata by file, read from a CSV table.
#[derive(Debug, Clone, Default)]
pub struct MetadataTable {
    /// Row metadata by the file's path (`/` separators) or name, as the table gives it.
    rows: HashMap<String, Metadata>,
    /// Problems found reading the table (bad dates, duplicate rows), each naming the row.
    pub warnings: Vec<String>,
    /// A hash of the table's bytes: documents parsed with another table are parsed again.
    pub fingerprint: String,
}

/// Errors that make a table unusable as a whole.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error("{path}: {why}")]
    Unreadable { path: String, why: String },
}

impl MetadataTable {
    /// Reads a CSV table with a header row.
    pub fn load(path: &Path) -> Result<MetadataTable, TableError> {
        let shown = path.display().to_string();
        let fail = |why: String| TableError::Unreadable { path: shown.clone(), why };
        let bytes = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
        let mut warnings = Vec::new();
        let text = super::decode(&bytes, &mut warnings).ok_or_else(|| fail("not a text file".into()))?;
        let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
        let header: Vec<String> =
            reader.headers().map_err(|e| fail(e.to_string()))?.iter().map(|h| h.trim().to_ascii_lowercase()).collect();
        let Some(file_column) = FILE_COLUMNS.iter().find_map(|c| header.iter().position(|h| h == c)) else {
            return Err(fail(format!("no column naming the files (one of {})", FILE_COLUMNS.join(", "))));
        };
        let mut table = MetadataTable {
            warnings: warnings.into_iter().map(|w| format!("{shown}: {w}")).collect(),
            ..Default::default()
        };
        for (n, record) in reader.records().enumerate() {
            let line = n + 2;
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    table.warnings.push(format!("{shown}:{line}: {e}; row skipped"));
                    continue;
                }
            };
            let Some(file) = record.get(file_column).map(|f| f.replace('\\', "/")).filter(|f| !f.is_empty()) else {
                table.warnings.push(format!("{shown}:{line}: no file named; row skipped"));
                continue;
            };
            let mut metadata = Metadata::new();
            for (column, value) in
                header.iter().zip(record.iter()).filter(|(c, v)| *c != &header[file_column] && !v.is_empty())
            {
                if column == "date" && super::meta::parse_date(value).is_none() {
                    table.warnings.push(format!("{shown}:{line}: date {value:?} not understood; left out"));
                    continue;
                }
                metadata.entry(column.clone()).or_default().push(value.to_string());
            }
            if table.rows.insert(file.clone(), metadata).is_some() {
                table.warnings.push(format!("{shown}:{line}: a second row for {file}; the last one is used"));
            }
        }
        table.fingerprint = crate::ingest::hash_text(&text)[..12].to_string();
        Ok(table)
    }

    /// The row for a file, by its path in the input folder, else by its file name.
    pub fn row(&self, path: &str) -> Option<&Metadata> {
        self.rows.get(path).or_else(|| self.rows.get(path.rsplit('/').next().unwrap_or(path)))
    }

    /// Rows that name no file of the folder (`paths`: every file read), for warnings.
    pub fn unmatched<'a>(&'a self, paths: &[&str]) -> Vec<&'a str> {
        let mut names: std::collections::HashSet<&str> = paths.iter().copied().collect();
        names.extend(paths.iter().map(|p| p.rsplit('/').next().unwrap_or(p)));
        let mut out: Vec<&str> = self.rows.keys().map(String::as_str).filter(|k| !names.contains(k)).collect();
        out.sort_unstable();
        out
    }
}

/// `page` with the table's values for the keys it does not state itself.
pub fn fill(page: &mut Metadata, row: &Metadata) {
    for (key, values) in row {
        page.entry(key.clone()).or_insert_with(|| values.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_join_by_path_or_name_and_problems_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("meta.csv");
        std::fs::write(
            &path,
            "File,Country,Date,Type,Desk\nsport/001.txt,Kenya,2021-03-08,news,Sport\n002.txt,Peru,not a date,news,\n\
             002.txt,Chile,,,\nmissing.txt,Chad,,,\n",
        )
        .unwrap();
        let table = MetadataTable::load(&path).unwrap();
        let row = table.row("sport/001.txt").unwrap();
        assert_eq!(row["country"], vec!["Kenya"]);
        assert_eq!(row["desk"], vec!["Sport"], "any column is metadata");
        assert_eq!(table.row("politics/002.txt").unwrap()["country"], vec!["Chile"], "by file name; the last row wins");
        assert!(
            table.warnings.iter().any(|w| w.contains(":3: date \"not a date\" not understood")),
            "{:?}",
            table.warnings
        );
        assert!(table.warnings.iter().any(|w| w.contains(":4: a second row for 002.txt")), "{:?}", table.warnings);
        assert_eq!(table.unmatched(&["sport/001.txt", "politics/002.txt"]), vec!["missing.txt"]);
        let mut page = Metadata::from([("country".to_string(), vec!["Ghana".to_string()])]);
        fill(&mut page, row);
        assert_eq!(page["country"], vec!["Ghana"], "the file's own value wins");
        assert_eq!(page["type"], vec!["news"]);
    }

    #[test]
    fn a_table_without_a_file_column_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("meta.csv");
        std::fs::write(&path, "country,date\nKenya,2021\n").unwrap();
        assert!(MetadataTable::load(&path).unwrap_err().to_string().contains("no column naming the files"));
    }
}
