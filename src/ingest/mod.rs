//! Ingestion: the pages of a folder (`.txt`, `.md`, `.html`, `.htm`) → clean [`Document`]s with
//! metadata, collected in a [`Corpus`].
//!
//! The stage in order: `walk.rs` finds the files, `decode.rs` reads their bytes as text,
//! [`parse`] (text and Markdown) or [`html`] (web pages) splits a page into metadata, heading and
//! lines, [`clean`] removes website chrome, `title.rs` chooses the title and `document.rs` builds
//! the [`Document`] ([`meta`]: dates and continents, [`lang`]: language, [`table`]: metadata from
//! `--metadata FILE.csv`). [`params`] holds the limits all of them use; `summary.rs` counts a run
//! for `themescope ingest`.

pub mod clean;
mod decode;
mod document;
pub mod html;
pub mod lang;
pub mod meta;
pub mod params;
pub mod parse;
pub mod sentences;
mod summary;
pub mod table;
mod title;
mod walk;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use decode::decode;
pub use document::build_document;
pub use params::{ParamError, DEFAULT_MAX_FILE_BYTES};
pub use parse::Metadata;
pub use summary::{summary_table, Summary};
pub use table::MetadataTable;
pub use title::{shorten, TitleFrom};
use walk::{find_files, relative, stamp};

/// Version of the ingest code (decoding, parsing, cleaning), stored with every parsed file:
/// files parsed by another version are read again. Change it whenever a change to this folder
/// can change what a file becomes.
pub const PARSER_VERSION: &str = "ingest-8";

/// One article, cleaned and described.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Document {
    /// First 16 hex digits of SHA-256 of the file's bytes (as read, up to the size limit): the
    /// same content has the same id
    /// on every machine, wherever the file lives.
    pub doc_id: String,
    /// Path relative to the ingested folder, with `/` separators.
    pub path: String,
    pub title: String,
    /// Whether the page states its title or it was made from the body or the file name.
    #[serde(default)]
    pub title_from: TitleFrom,
    #[serde(rename = "type")]
    pub doc_type: Option<String>,
    pub country: Option<String>,
    pub continent: Option<String>,
    pub date: Option<NaiveDate>,
    pub year: Option<i32>,
    /// ISO 639-1 code of the clean text.
    pub language: Option<String>,
    pub author: Option<String>,
    /// URL of the original page.
    pub source: Option<String>,
    pub metadata: Metadata,
    /// The body with metadata and website chrome removed.
    pub text: String,
    pub words: usize,
    pub warnings: Vec<String>,
}

impl Document {
    /// The title the page states; none when it was made from the body or the file name.
    pub fn stated_title(&self) -> Option<&str> {
        (self.title_from == TitleFrom::Page && !self.title.is_empty()).then_some(self.title.as_str())
    }

    /// The text a model should read for this document: the title the page states, then body.
    pub fn embedding_text(&self) -> String {
        match self.stated_title() {
            Some(title) => format!("{title}\n{}", self.text),
            None => self.text.clone(),
        }
    }

    /// The sub-folder of the input folder the file sits in ("sport" for `sport/001.txt`), none
    /// for a file at the top.
    pub fn folder(&self) -> Option<String> {
        self.path.rsplit_once('/').map(|(folder, _)| folder.to_string())
    }

    /// Hash of the clean content: equal for exact duplicates, changes when the text changes.
    pub fn text_hash(&self) -> String {
        hash_text(&self.embedding_text())
    }
}

/// Content hash of a text (32 hex digits of SHA-256), the key of cached vectors.
pub fn hash_text(text: &str) -> String {
    hex_prefix(&Sha256::digest(text.as_bytes()), 32)
}

/// Size and modification time (nanoseconds since the epoch) of a file: what tells an unchanged
/// file from a changed one.
pub type Stamp = (u64, i64);

/// A file whose clean text equals another document's: analysed once, as that document, but
/// still listed (with its own id, path and metadata) wherever files are listed.
#[derive(Debug, Clone)]
pub struct Duplicate {
    pub document: Document,
    pub stamp: Stamp,
    /// Id of the document it repeats.
    pub duplicate_of: String,
}

/// A file that could not be used at all, and why.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Skipped {
    pub path: String,
    pub kind: SkipKind,
    pub message: String,
}

/// Why a file was skipped.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum SkipKind {
    Empty,
    Binary,
    Unreadable,
    SymlinkLoop,
    /// A symbolic link leading outside the folder (see [`IngestOptions::follow_links`]).
    OutsideLink,
    NoText,
}

/// Every document of a folder, plus an account of the files that are not documents.
#[derive(Debug, Default)]
pub struct Corpus {
    pub root: PathBuf,
    pub documents: Vec<Document>,
    /// Each document's file stamp, same order as `documents`.
    pub stamps: Vec<Stamp>,
    /// Documents taken from `IngestOptions::known` without reading their file.
    pub reused: usize,
    pub duplicates: Vec<Duplicate>,
    pub skipped: Vec<Skipped>,
    /// Candidate files found (`.txt`, `.md`, `.html`, `.htm`), including those skipped.
    pub files_seen: usize,
    /// Problems with the metadata table, each naming its row.
    pub table_warnings: Vec<String>,
}

impl Corpus {
    /// The corpus restricted to documents whose `[[type:…]]` is `only` (duplicates too); `None`
    /// when no document is left.
    pub fn only_type(mut self, only: &str) -> Option<Corpus> {
        let is = |d: &Document| d.doc_type.as_deref() == Some(only);
        let (documents, stamps): (Vec<Document>, Vec<Stamp>) = std::mem::take(&mut self.documents)
            .into_iter()
            .zip(std::mem::take(&mut self.stamps))
            .filter(|(d, _)| is(d))
            .unzip();
        self.duplicates.retain(|d| is(&d.document));
        (self.documents, self.stamps) = (documents, stamps);
        (!self.documents.is_empty()).then_some(self)
    }

    /// Every warning of the run, each naming its file, for printing.
    pub fn warnings(&self) -> Vec<String> {
        let skipped = self.skipped.iter().map(|s| format!("{}: {}", s.path, s.message));
        let doc = self.documents.iter().flat_map(|d| d.warnings.iter().map(move |w| format!("{}: {w}", d.path)));
        let dups = self
            .duplicates
            .iter()
            .map(|d| format!("{}: same text as document {}; analysed once", d.document.path, d.duplicate_of));
        skipped.chain(doc).chain(dups).chain(self.table_warnings.iter().cloned()).collect()
    }
}

/// Errors that stop ingestion as a whole (a bad file never does).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{0}: not a folder or not readable")]
    NotAFolder(PathBuf),
    #[error("{0}: no readable .txt or .md documents found")]
    NoDocuments(PathBuf),
    #[error(transparent)]
    Params(#[from] ParamError),
}

/// How to read files.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Files larger than this are read up to it and flagged as truncated; 0 is refused (see
    /// [`IngestOptions::check`]).
    pub max_file_bytes: u64,
    /// Folders under the root that are not input (e.g. an output folder placed inside it).
    pub exclude: Vec<PathBuf>,
    /// Files parsed by an earlier run, by relative path: one whose size and modification time
    /// are unchanged is taken from here without being read again.
    pub known: HashMap<String, KnownFile>,
    /// Follow symbolic links that lead outside the folder (links inside it are always
    /// followed). Off by default, as in ripgrep: a link to `/etc/passwd` must not end up quoted
    /// in a report.
    pub follow_links: bool,
    /// Metadata for files that lack it (`--metadata FILE.csv`).
    pub metadata: Option<MetadataTable>,
    /// Advanced by one per file read (set its length first); none by default.
    pub progress: Option<indicatif::ProgressBar>,
}

impl IngestOptions {
    /// What a parsed file depends on besides its bytes: the ingest code's version and the
    /// metadata table. Parsed files are cached under it.
    pub fn parser_key(&self) -> String {
        match &self.metadata {
            Some(table) => format!("{PARSER_VERSION}+table-{}", table.fingerprint),
            None => PARSER_VERSION.to_string(),
        }
    }
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            exclude: Vec::new(),
            known: HashMap::new(),
            follow_links: false,
            metadata: None,
            progress: None,
        }
    }
}

/// A file as an earlier run saw it.
#[derive(Debug, Clone)]
pub struct KnownFile {
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub mtime: i64,
    pub doc: Document,
}

/// Reads every `.txt`, `.md`, `.html` and `.htm` file under `dir` (recursively; links that lead
/// outside it only with [`IngestOptions::follow_links`]) into a corpus. Fails only when the
/// options are refused by [`IngestOptions::check`], or `dir` is unusable or holds no usable
/// document.
pub fn ingest_dir(dir: &Path, options: &IngestOptions) -> Result<Corpus, IngestError> {
    options.check()?;
    if !dir.is_dir() {
        return Err(IngestError::NotAFolder(dir.to_path_buf()));
    }
    let (files, mut skipped) = find_files(dir, options);
    let files_seen = files.len() + skipped.len();
    let progress = options.progress.clone().unwrap_or_else(indicatif::ProgressBar::hidden);
    progress.set_length(files.len() as u64);
    // (document, file stamp, taken from `known`) or why the file was skipped.
    type Outcome = Result<(Document, Stamp, bool), Skipped>;
    let outcomes: Vec<Outcome> = files
        .par_iter()
        .map(|path| {
            let rel = relative(dir, path);
            let file_stamp = stamp(path).unwrap_or((0, 0));
            let outcome = match options.known.get(&rel) {
                Some(k) if (k.size, k.mtime) == file_stamp && file_stamp.1 != 0 => {
                    Ok((k.doc.clone(), file_stamp, true))
                }
                _ => document::read_document(dir, path, options).map(|d| (d, file_stamp, false)),
            };
            progress.inc(1);
            outcome
        })
        .collect();
    progress.finish_and_clear();
    let mut documents = Vec::with_capacity(outcomes.len());
    let mut reused = 0;
    for outcome in outcomes {
        match outcome {
            Ok((doc, file_stamp, from_known)) => {
                reused += usize::from(from_known);
                documents.push((doc, file_stamp));
            }
            Err(skip) => skipped.push(skip),
        }
    }
    let (documents, duplicates) = remove_duplicates(documents);
    if documents.is_empty() {
        return Err(IngestError::NoDocuments(dir.to_path_buf()));
    }
    let (documents, stamps): (Vec<Document>, Vec<Stamp>) = documents.into_iter().unzip();
    let table_warnings = match &options.metadata {
        Some(table) => {
            let paths: Vec<String> = files.iter().map(|p| relative(dir, p)).collect();
            let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
            let unmatched = table
                .unmatched(&paths)
                .into_iter()
                .map(|f| format!("--metadata: a row for {f}, which is not a file in {}", dir.display()));
            table.warnings.iter().cloned().chain(unmatched).collect()
        }
        None => Vec::new(),
    };
    Ok(Corpus { root: dir.to_path_buf(), documents, stamps, reused, duplicates, skipped, files_seen, table_warnings })
}

fn hex_prefix(bytes: &[u8], hex_digits: usize) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()[..hex_digits].to_string()
}

/// Keeps the first document of each distinct clean text (in path order); the others are
/// returned as duplicates of it.
fn remove_duplicates(documents: Vec<(Document, Stamp)>) -> (Vec<(Document, Stamp)>, Vec<Duplicate>) {
    let mut first_by_text: HashMap<String, String> = HashMap::new();
    let mut kept = Vec::with_capacity(documents.len());
    let mut duplicates = Vec::new();
    for (doc, stamp) in documents {
        let hash = doc.text_hash();
        match first_by_text.get(&hash) {
            Some(first) => duplicates.push(Duplicate { duplicate_of: first.clone(), document: doc, stamp }),
            None => {
                first_by_text.insert(hash, doc.doc_id.clone());
                kept.push((doc, stamp));
            }
        }
    }
    (kept, duplicates)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_kept_once() {
        let a = build_document("# T\nSame text.", "a".into(), "a.txt".into());
        let mut b = a.clone();
        b.doc_id = "b".into();
        b.path = "b.txt".into();
        let (kept, dups) = remove_duplicates(vec![(a, (1, 1)), (b, (1, 2))]);
        assert_eq!(kept.len(), 1);
        assert_eq!((dups[0].document.path.as_str(), dups[0].document.doc_id.as_str()), ("b.txt", "b"));
        assert_eq!(dups[0].duplicate_of, "a");
        assert_eq!(dups[0].stamp, (1, 2));
    }
}
