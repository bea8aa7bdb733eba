//! The project store: one SQLite file holding cached vectors, the parsed files of the last run
//! and every run with its analysis.
//!
//! Every write happens in a transaction, so a run killed at any moment leaves a usable store;
//! the schema carries a version number and an unknown version is refused, never misread. The
//! store is a cache plus a history, and the input folder is the truth: a store that cannot be
//! read is moved aside (kept) and rebuilt, see [`Store::open_or_rebuild`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};

use crate::analysis::RunSummary;
use crate::ingest::{Document, KnownFile};
use crate::summarise::CentralSentences;
use crate::themes::continuity::PastTheme;
use crate::themes::{LabelOrigin, ThemeId};

mod schema;
use schema::{ADDED_COLUMNS, SCHEMA};

/// Schema version this build reads and writes.
pub const SCHEMA_VERSION: i64 = 6;

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {source}")]
    Sqlite { path: String, source: rusqlite::Error },
    #[error("{path}: store schema version {found} is newer than this themescope understands ({SCHEMA_VERSION}); upgrade themescope or use another --out folder")]
    TooNew { path: String, found: i64 },
    #[error("{path}: the store is damaged ({why}) and could not be moved aside: {source}")]
    CannotMoveAside { path: String, why: String, source: std::io::Error },
}

/// An open store.
pub struct Store {
    conn: Connection,
    path: String,
}

/// A change to the analyst's decisions, as the store keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct CurationRecord {
    pub id: i64,
    /// The command that made it (`theme merge 4 7`), or a note that the file was edited by hand.
    pub command: String,
    /// The whole decisions file after it.
    pub decisions: String,
    /// The run that applied it, when one did.
    pub run_id: Option<i64>,
}

/// A past run as `history` lists it.
pub struct RunRecord {
    pub finished: String,
    /// `None` for a run an older themescope recorded in another shape.
    pub summary: Option<RunSummary>,
    /// Taken back by `themescope theme undo`: later runs build on the run before it.
    pub undone: bool,
}

/// The last finished run: when, and its themes.
#[derive(Debug, Clone)]
pub struct PastRun {
    pub finished: String,
    /// The random seed it used (`params.seed` of its summary), when recorded.
    pub seed: Option<u64>,
    /// The documents it analysed (`documents.total` of its summary), when recorded.
    pub documents: Option<usize>,
    pub themes: Vec<PastTheme>,
}

/// A file a run read, as recorded: its stamp, its parsed document and, for an exact
/// duplicate, the id of the document it repeats.
pub struct FileRecord<'a> {
    pub document: &'a Document,
    pub size: u64,
    pub mtime: i64,
    pub duplicate_of: Option<&'a str>,
}

fn to_blob(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn from_blob(blob: &[u8]) -> Vec<f32> {
    blob.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
}

impl Store {
    /// Opens the store at `path`, creating it if needed. A file that is not a readable store
    /// (truncated, overwritten, failing SQLite's quick check) is renamed
    /// `<name>.broken-<time>` and a fresh store is made in its place; the returned message
    /// says so. A store from a newer themescope is refused, never touched.
    pub fn open_or_rebuild(path: &Path) -> Result<(Store, Option<String>), StoreError> {
        match Store::open(path) {
            Ok(store) => match store.quick_check() {
                Ok(()) => Ok((store, None)),
                Err(why) => {
                    drop(store);
                    Self::rebuild(path, why)
                }
            },
            Err(e @ StoreError::TooNew { .. }) => Err(e),
            Err(e) => Self::rebuild(path, e.to_string()),
        }
    }

    fn rebuild(path: &Path, why: String) -> Result<(Store, Option<String>), StoreError> {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S");
        let aside = PathBuf::from(format!("{}.broken-{stamp}", path.display()));
        std::fs::rename(path, &aside).map_err(|source| StoreError::CannotMoveAside {
            path: path.display().to_string(),
            why: why.clone(),
            source,
        })?;
        for suffix in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{}{suffix}", path.display()));
            if side.exists() {
                let _ = std::fs::rename(&side, format!("{}{suffix}", aside.display()));
            }
        }
        let store = Store::open(path)?;
        let message = format!(
            "{}: the store could not be read ({why}); moved it to {} and started a new one (vectors are computed again)",
            path.display(),
            aside.display()
        );
        Ok((store, Some(message)))
    }

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
            Some(v) if v < SCHEMA_VERSION => {
                // SCHEMA has just created the tables an old store lacked; add the new columns.
                for (table, column, statement) in ADDED_COLUMNS {
                    let has: bool = tx
                        .query_row(
                            &format!("SELECT COUNT(*) FROM pragma_table_info('{table}') WHERE name = ?1"),
                            params![column],
                            |r| r.get::<_, i64>(0),
                        )
                        .map_err(err)?
                        > 0;
                    if !has {
                        tx.execute(statement, []).map_err(err)?;
                    }
                }
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

    /// SQLite's own consistency check; the first problem it reports, if any.
    fn quick_check(&self) -> Result<(), String> {
        let verdict: String =
            self.conn.query_row("PRAGMA quick_check(1)", [], |r| r.get(0)).map_err(|e| e.to_string())?;
        if verdict == "ok" {
            Ok(())
        } else {
            Err(verdict)
        }
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
        self.put_documents(model_id, coverage, "", &items.iter().map(|&(h, v)| (h, v, None)).collect::<Vec<_>>())
    }

    /// Stores document vectors and, where given, each document's central sentences (under
    /// `sentences`, the cache key of how they were chosen), in one transaction.
    pub fn put_documents(
        &mut self,
        model_id: &str,
        coverage: &str,
        sentences: &str,
        items: &[(&str, &[f32], Option<&CentralSentences>)],
    ) -> Result<(), StoreError> {
        let path = self.path.clone();
        let err = |source| StoreError::Sqlite { path: path.clone(), source };
        let tx = self.conn.transaction().map_err(err)?;
        {
            let mut vectors = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO embeddings (model_id, coverage, text_hash, vector) VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(err)?;
            let mut central = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO sentences (model_id, coverage, text_hash, spans, similarities, vectors) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(err)?;
            for (hash, v, sentences_of) in items {
                vectors.execute(params![model_id, coverage, hash, to_blob(v)]).map_err(err)?;
                if let Some(c) = sentences_of {
                    let spans: Vec<(usize, usize)> = c.spans.iter().map(|r| (r.start, r.end)).collect();
                    central
                        .execute(params![
                            model_id,
                            sentences,
                            hash,
                            serde_json::to_string(&spans).expect("spans serialise"),
                            to_blob(&c.similarities),
                            to_blob(&c.vectors.concat())
                        ])
                        .map_err(err)?;
                }
            }
        }
        tx.commit().map_err(err)
    }

    /// Cached central sentences (see [`Store::put_documents`]) for the given text hashes.
    pub fn central_sentences(
        &self,
        model_id: &str,
        sentences: &str,
        hashes: &[&str],
    ) -> Result<HashMap<String, CentralSentences>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT spans, similarities, vectors FROM sentences WHERE model_id = ?1 AND coverage = ?2 AND text_hash = ?3",
            )
            .map_err(|e| self.err(e))?;
        let mut found = HashMap::new();
        for &hash in hashes {
            let row: Option<(String, Vec<u8>, Vec<u8>)> = stmt
                .query_row(params![model_id, sentences, hash], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()
                .map_err(|e| self.err(e))?;
            let Some((spans, similarities, vectors)) = row else { continue };
            let Ok(spans) = serde_json::from_str::<Vec<(usize, usize)>>(&spans) else { continue };
            let similarities = from_blob(&similarities);
            let flat = from_blob(&vectors);
            let dim = flat.len().checked_div(spans.len()).unwrap_or(0);
            found.insert(
                hash.to_string(),
                CentralSentences {
                    spans: spans.into_iter().map(|(a, b)| a..b).collect(),
                    vectors: if dim == 0 { Vec::new() } else { flat.chunks(dim).map(<[f32]>::to_vec).collect() },
                    similarities,
                },
            );
        }
        Ok(found)
    }

    /// Files recorded by the last run, by path: those parsed by `parser` (the ingest code's
    /// version; files parsed by another version are left out, so they are read again), or all of
    /// them with `None`.
    pub fn files(&self, parser: Option<&str>) -> Result<HashMap<String, KnownFile>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT path, size, mtime, json FROM documents WHERE ?1 IS NULL OR parser = ?1")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![parser], |r| {
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

    /// A language model's stored answer to a request (see [`crate::generate::Request`]).
    pub fn generated(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row("SELECT answer FROM generated WHERE key = ?1", params![key], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Keeps a language model's answer to a request.
    pub fn record_generated(&self, key: &str, answer: &str) -> Result<(), StoreError> {
        self.conn
            .execute("INSERT OR REPLACE INTO generated (key, answer) VALUES (?1, ?2)", params![key, answer])
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The last finished run and its themes, if any.
    pub fn last_run(&self) -> Result<Option<PastRun>, StoreError> {
        let Some((run_id, finished, summary)) = self.last_run_row()? else { return Ok(None) };
        // A summary an older themescope wrote in another shape says nothing of its seed or size.
        let summary = serde_json::from_str::<RunSummary>(&summary).ok();
        let seed = summary.as_ref().map(|s| s.params.settings.seed);
        let documents = summary.as_ref().map(|s| s.documents.total);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT theme_id, label, size, centroid, label_extracted, label_generated, description FROM themes \
                 WHERE run_id = ?1 \
                 ORDER BY size DESC, theme_id",
            )
            .map_err(|e| self.err(e))?;
        let themes = stmt
            .query_map(params![run_id], |r| {
                Ok(PastTheme {
                    id: ThemeId(r.get::<_, i64>(0)? as u32),
                    label: r.get(1)?,
                    size: r.get::<_, i64>(2)? as usize,
                    centroid: from_blob(&r.get::<_, Vec<u8>>(3)?),
                    label_source: match (r.get::<_, i64>(4)? != 0, r.get::<_, i64>(5)? != 0) {
                        (_, true) => LabelOrigin::Generated,
                        (true, false) => LabelOrigin::Extracted,
                        (false, false) => LabelOrigin::Analyst,
                    },
                    description: r.get(6)?,
                })
            })
            .map_err(|e| self.err(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.err(e))?;
        Ok(Some(PastRun { finished, seed, documents, themes }))
    }

    fn last_run_row(&self) -> Result<Option<(i64, String, String)>, StoreError> {
        self.conn
            .query_row("SELECT id, finished, summary FROM runs WHERE undone = 0 ORDER BY id DESC LIMIT 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()
            .map_err(|e| self.err(e))
    }

    /// The analysis recorded by the last run (JSON), when that run recorded one (runs of
    /// themescope before the store's version 3 did not).
    pub fn last_analysis(&self) -> Result<Option<String>, StoreError> {
        let row: Option<Option<String>> = self
            .conn
            .query_row("SELECT analysis FROM runs WHERE undone = 0 ORDER BY id DESC LIMIT 1", [], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))?;
        Ok(row.flatten())
    }

    /// The largest theme id any run used, plus one.
    pub fn next_theme_id(&self) -> Result<u32, StoreError> {
        let max: Option<i64> =
            self.conn.query_row("SELECT MAX(theme_id) FROM themes", [], |r| r.get(0)).map_err(|e| self.err(e))?;
        Ok(max.map_or(0, |m| m as u32 + 1))
    }

    /// Records a finished run in one transaction: its summary, its analysis, its themes (id,
    /// label, size, centroid) and the files it read, each with the parser version that read it.
    pub fn record_run(
        &mut self,
        finished: &str,
        summary: &RunSummary,
        analysis: &str,
        themes: &[PastTheme],
        files: &[FileRecord],
        parser: &str,
    ) -> Result<(), StoreError> {
        let path = self.path.clone();
        let err = |source| StoreError::Sqlite { path: path.clone(), source };
        let tx = self.conn.transaction().map_err(err)?;
        tx.execute(
            "INSERT INTO runs (finished, summary, analysis) VALUES (?1, ?2, ?3)",
            params![finished, serde_json::to_string(summary).expect("run summaries serialise"), analysis],
        )
        .map_err(err)?;
        let run_id = tx.last_insert_rowid();
        for t in themes {
            tx.execute(
                "INSERT INTO themes (run_id, theme_id, label, size, centroid, label_extracted, label_generated, \
                 description) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    run_id,
                    t.id.0 as i64,
                    t.label,
                    t.size as i64,
                    to_blob(&t.centroid),
                    t.label_source == LabelOrigin::Extracted,
                    t.label_source == LabelOrigin::Generated,
                    t.description
                ],
            )
            .map_err(err)?;
        }
        tx.execute("DELETE FROM documents", []).map_err(err)?;
        {
            let mut stmt = tx
                .prepare(
                    "INSERT OR REPLACE INTO documents (path, size, mtime, doc_id, json, parser, duplicate_of) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .map_err(err)?;
            for f in files {
                let json = serde_json::to_string(f.document).expect("documents serialise");
                stmt.execute(params![
                    f.document.path,
                    f.size as i64,
                    f.mtime,
                    f.document.doc_id,
                    json,
                    parser,
                    f.duplicate_of
                ])
                .map_err(err)?;
            }
        }
        tx.commit().map_err(err)
    }

    /// Past runs, oldest first.
    pub fn runs(&self) -> Result<Vec<RunRecord>, StoreError> {
        let mut stmt =
            self.conn.prepare("SELECT finished, summary, undone FROM runs ORDER BY id").map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)))
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (finished, summary, undone) = row.map_err(|e| self.err(e))?;
            out.push(RunRecord { finished, summary: serde_json::from_str(&summary).ok(), undone: undone != 0 });
        }
        Ok(out)
    }

    /// The id of the last run that is not undone.
    pub fn last_run_id(&self) -> Result<Option<i64>, StoreError> {
        Ok(self.last_run_row()?.map(|(id, _, _)| id))
    }

    /// The runs from `run_id` on that are not undone: each id, and the `theme` command that
    /// made it (`None` for a plain `analyze`).
    pub fn runs_since(&self, run_id: i64) -> Result<Vec<(i64, Option<String>)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, summary FROM runs WHERE id >= ?1 AND undone = 0 ORDER BY id")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![run_id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, summary) = row.map_err(|e| self.err(e))?;
            out.push((id, serde_json::from_str::<RunSummary>(&summary).ok().and_then(|s| s.command)));
        }
        Ok(out)
    }

    /// Marks a run as taken back (or not): the runs after build on the one before it.
    pub fn set_run_undone(&mut self, run_id: i64, undone: bool) -> Result<(), StoreError> {
        self.conn
            .execute("UPDATE runs SET undone = ?2 WHERE id = ?1", params![run_id, undone as i64])
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Records a change to the decisions, applied by run `run_id` (when one applied it).
    pub fn record_curation(
        &mut self,
        made: &str,
        command: &str,
        decisions: &str,
        run_id: Option<i64>,
    ) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO curation (made, command, decisions, run_id) VALUES (?1, ?2, ?3, ?4)",
                params![made, command, decisions, run_id],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The changes to the decisions that are in effect (not undone), oldest first.
    pub fn curation(&self) -> Result<Vec<CurationRecord>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, command, decisions, run_id FROM curation WHERE undone = 0 ORDER BY id")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(CurationRecord { id: r.get(0)?, command: r.get(1)?, decisions: r.get(2)?, run_id: r.get(3)? })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// Takes back a change to the decisions (`themescope theme undo`).
    pub fn undo_curation(&mut self, id: i64) -> Result<(), StoreError> {
        self.conn.execute("UPDATE curation SET undone = 1 WHERE id = ?1", params![id]).map_err(|e| self.err(e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
