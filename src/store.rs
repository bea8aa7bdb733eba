//! The project store: one SQLite file holding cached vectors and past runs.
//!
//! Every write happens in a transaction, so a run killed at any moment leaves a usable store;
//! the schema carries a version number and an unknown version is refused, never misread.

use std::collections::HashMap;
use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};

use crate::ingest::{Document, KnownFile};

/// Schema version this build reads and writes.
pub const SCHEMA_VERSION: i64 = 2;

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {source}")]
    Sqlite { path: String, source: rusqlite::Error },
    #[error("{path}: store schema version {found} is newer than this themescope understands ({SCHEMA_VERSION}); upgrade themescope or use another --out folder")]
    TooNew { path: String, found: i64 },
}

/// An open store.
pub struct Store {
    conn: Connection,
    path: String,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS embeddings (
    model_id TEXT NOT NULL,
    coverage TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model_id, coverage, text_hash)
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    finished TEXT NOT NULL,
    summary TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime INTEGER NOT NULL,
    doc_id TEXT NOT NULL,
    json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS themes (
    run_id INTEGER NOT NULL,
    theme_id INTEGER NOT NULL,
    label TEXT NOT NULL,
    size INTEGER NOT NULL,
    centroid BLOB NOT NULL,
    PRIMARY KEY (run_id, theme_id)
);
";

/// A theme of a past run.
#[derive(Debug, Clone)]
pub struct PastTheme {
    pub id: usize,
    pub label: String,
    pub size: usize,
    pub centroid: Vec<f32>,
}

/// The last finished run: when, and its themes.
#[derive(Debug, Clone)]
pub struct PastRun {
    pub finished: String,
    /// The random seed it used (`params.seed` of its summary), when recorded.
    pub seed: Option<u64>,
    pub themes: Vec<PastTheme>,
}

fn to_blob(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn from_blob(blob: &[u8]) -> Vec<f32> {
    blob.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
}

impl Store {
    /// Opens (creating if needed) the store at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let shown = path.display().to_string();
        let err = |source| StoreError::Sqlite { path: shown.clone(), source };
        let mut conn = Connection::open(path).map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(err)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(err)?;
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(err)?;
        let tx = conn.transaction().map_err(err)?;
        tx.execute_batch(SCHEMA).map_err(err)?;
        let found: Option<i64> = tx
            .query_row("SELECT value FROM meta WHERE key = 'schema_version'", [], |r| r.get::<_, String>(0))
            .optional()
            .map_err(err)?
            .and_then(|v| v.parse().ok());
        match found {
            Some(v) if v > SCHEMA_VERSION => return Err(StoreError::TooNew { path: shown, found: v }),
            // Version 1 lacked the documents and themes tables, which SCHEMA has just added.
            Some(v) if v < SCHEMA_VERSION => {
                tx.execute(
                    "UPDATE meta SET value = ?1 WHERE key = 'schema_version'",
                    params![SCHEMA_VERSION.to_string()],
                )
                .map_err(err)?;
            }
            Some(_) => {}
            None => {
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', ?1)",
                    params![SCHEMA_VERSION.to_string()],
                )
                .map_err(err)?;
            }
        }
        tx.commit().map_err(err)?;
        Ok(Store { conn, path: shown })
    }

    fn err(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite { path: self.path.clone(), source }
    }

    /// Cached vectors for the given text hashes (those present).
    pub fn vectors(
        &self,
        model_id: &str,
        coverage: &str,
        hashes: &[&str],
    ) -> Result<HashMap<String, Vec<f32>>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT vector FROM embeddings WHERE model_id = ?1 AND coverage = ?2 AND text_hash = ?3")
            .map_err(|e| self.err(e))?;
        let mut found = HashMap::new();
        for &hash in hashes {
            let blob: Option<Vec<u8>> =
                stmt.query_row(params![model_id, coverage, hash], |r| r.get(0)).optional().map_err(|e| self.err(e))?;
            if let Some(blob) = blob {
                found.insert(hash.to_string(), from_blob(&blob));
            }
        }
        Ok(found)
    }

    /// Stores vectors in one transaction: all of them or none.
    pub fn put_vectors(&mut self, model_id: &str, coverage: &str, items: &[(&str, &[f32])]) -> Result<(), StoreError> {
        let tx = self.conn.transaction().map_err(|e| StoreError::Sqlite { path: self.path.clone(), source: e })?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO embeddings (model_id, coverage, text_hash, vector) VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(|e| StoreError::Sqlite { path: self.path.clone(), source: e })?;
            for (hash, v) in items {
                stmt.execute(params![model_id, coverage, hash, to_blob(v)])
                    .map_err(|e| StoreError::Sqlite { path: self.path.clone(), source: e })?;
            }
        }
        tx.commit().map_err(|e| self.err(e))
    }

    /// Files seen by the last run, by path.
    pub fn known_files(&self) -> Result<HashMap<String, KnownFile>, StoreError> {
        let mut stmt = self.conn.prepare("SELECT path, size, mtime, json FROM documents").map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?, r.get::<_, String>(3)?))
            })
            .map_err(|e| self.err(e))?;
        let mut known = HashMap::new();
        for row in rows {
            let (path, size, mtime, json) = row.map_err(|e| self.err(e))?;
            // A row this build cannot read is treated as unknown: the file is parsed again.
            if let Ok(doc) = serde_json::from_str::<Document>(&json) {
                known.insert(path, KnownFile { size: size as u64, mtime, doc });
            }
        }
        Ok(known)
    }

    /// The last finished run and its themes, if any.
    pub fn last_run(&self) -> Result<Option<PastRun>, StoreError> {
        let last: Option<(i64, String, String)> = self
            .conn
            .query_row("SELECT id, finished, summary FROM runs ORDER BY id DESC LIMIT 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()
            .map_err(|e| self.err(e))?;
        let Some((run_id, finished, summary)) = last else { return Ok(None) };
        let seed = serde_json::from_str::<serde_json::Value>(&summary).ok().and_then(|v| v["params"]["seed"].as_u64());
        let mut stmt = self
            .conn
            .prepare(
                "SELECT theme_id, label, size, centroid FROM themes WHERE run_id = ?1 ORDER BY size DESC, theme_id",
            )
            .map_err(|e| self.err(e))?;
        let themes = stmt
            .query_map(params![run_id], |r| {
                Ok(PastTheme {
                    id: r.get::<_, i64>(0)? as usize,
                    label: r.get(1)?,
                    size: r.get::<_, i64>(2)? as usize,
                    centroid: from_blob(&r.get::<_, Vec<u8>>(3)?),
                })
            })
            .map_err(|e| self.err(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.err(e))?;
        Ok(Some(PastRun { finished, seed, themes }))
    }

    /// The smallest theme id never used by any run.
    pub fn next_theme_id(&self) -> Result<usize, StoreError> {
        let max: Option<i64> =
            self.conn.query_row("SELECT MAX(theme_id) FROM themes", [], |r| r.get(0)).map_err(|e| self.err(e))?;
        Ok(max.map_or(0, |m| m as usize + 1))
    }

    /// Records a finished run in one transaction: its summary, its themes (id, label, size,
    /// centroid) and the files it read (path → size, mtime, parsed document).
    pub fn record_run(
        &mut self,
        finished: &str,
        summary: &serde_json::Value,
        themes: &[PastTheme],
        files: &[(&Document, u64, i64)],
    ) -> Result<(), StoreError> {
        let path = self.path.clone();
        let err = |source| StoreError::Sqlite { path: path.clone(), source };
        let tx = self.conn.transaction().map_err(err)?;
        tx.execute("INSERT INTO runs (finished, summary) VALUES (?1, ?2)", params![finished, summary.to_string()])
            .map_err(err)?;
        let run_id = tx.last_insert_rowid();
        for t in themes {
            tx.execute(
                "INSERT INTO themes (run_id, theme_id, label, size, centroid) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![run_id, t.id as i64, t.label, t.size as i64, to_blob(&t.centroid)],
            )
            .map_err(err)?;
        }
        tx.execute("DELETE FROM documents", []).map_err(err)?;
        for (doc, size, mtime) in files {
            let json = serde_json::to_string(doc).expect("documents serialise");
            tx.execute(
                "INSERT OR REPLACE INTO documents (path, size, mtime, doc_id, json) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![doc.path, *size as i64, mtime, doc.doc_id, json],
            )
            .map_err(err)?;
        }
        tx.commit().map_err(err)
    }

    /// Past runs, oldest first: (finished, summary).
    pub fn runs(&self) -> Result<Vec<(String, serde_json::Value)>, StoreError> {
        let mut stmt = self.conn.prepare("SELECT finished, summary FROM runs ORDER BY id").map_err(|e| self.err(e))?;
        let rows =
            stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))).map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (finished, summary) = row.map_err(|e| self.err(e))?;
            out.push((finished, serde_json::from_str(&summary).unwrap_or(serde_json::Value::Null)));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.sqlite")).unwrap();
        store.put_vectors("m", "whole", &[("h1", &[1.0, -2.5][..])]).unwrap();
        let got = store.vectors("m", "whole", &["h1", "h2"]).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got["h1"], vec![1.0, -2.5]);
        assert!(store.vectors("other-model", "whole", &["h1"]).unwrap().is_empty());
    }

    #[test]
    fn newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite");
        drop(Store::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'", []).unwrap();
        drop(conn);
        assert!(matches!(Store::open(&path), Err(StoreError::TooNew { found: 99, .. })));
    }
}
