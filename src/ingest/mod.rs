//! Ingestion: seed files → clean [`Document`]s with metadata, collected in a [`Corpus`].

pub mod clean;
pub mod html;
pub mod lang;
pub mod meta;
pub mod parse;
pub mod table;

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use parse::Metadata;
pub use table::MetadataTable;

/// Files larger than this are read up to the limit and flagged as truncated.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;

/// Version of the ingest code (decoding, parsing, cleaning), stored with every parsed file:
/// files parsed by another version are read again. Change it whenever a change to this module
/// can change what a file becomes.
pub const PARSER_VERSION: &str = "ingest-5";

/// One article, cleaned and described.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Document {
    /// First 16 hex digits of SHA-256 of the file's bytes: the same content has the same id
    /// on every machine, wherever the file lives.
    pub doc_id: String,
    /// Path relative to the ingested folder, with `/` separators.
    pub path: String,
    pub title: String,
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
    /// The text a model should read for this document: title, then body.
    pub fn embedding_text(&self) -> String {
        if self.title.is_empty() {
            self.text.clone()
        } else {
            format!("{}\n{}", self.title, self.text)
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
}

/// How to read files.
#[derive(Debug, Clone)]
pub struct IngestOptions {
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

/// Size and modification time of a file (nanoseconds since the epoch; 0 when unknown).
fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i64);
    Some((meta.len(), mtime))
}

/// Reads every `.txt`/`.md` file under `dir` (recursively, following links) into a corpus.
/// Fails only when `dir` is unusable or holds no usable document.
pub fn ingest_dir(dir: &Path, options: &IngestOptions) -> Result<Corpus, IngestError> {
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
                _ => read_document(dir, path, options).map(|d| (d, file_stamp, false)),
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

/// Extensions of the files read: plain text and Markdown pages, and saved web pages.
const EXTENSIONS: &[&str] = &["txt", "md", "html", "htm"];

fn is_candidate(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| EXTENSIONS.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

fn is_web_page(path: &str) -> bool {
    path.rsplit_once('.').is_some_and(|(_, e)| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"))
}

fn find_files(dir: &Path, options: &IngestOptions) -> (Vec<PathBuf>, Vec<Skipped>) {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let excluded: Vec<PathBuf> = options.exclude.iter().filter_map(|p| p.canonicalize().ok()).collect();
    let root = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    // Where an entry really is: a link, or anything under a linked folder, may lead elsewhere.
    let outside = |e: &walkdir::DirEntry| -> bool {
        !options.follow_links && e.path().canonicalize().is_ok_and(|real| !real.starts_with(&root))
    };
    let walker = walkdir::WalkDir::new(dir).follow_links(true).sort_by_file_name().into_iter();
    let mut walker = walker
        .filter_entry(|e| !(e.file_type().is_dir() && e.path().canonicalize().is_ok_and(|c| excluded.contains(&c))));
    while let Some(entry) = walker.next() {
        match entry {
            Ok(e) if (e.path_is_symlink() || e.file_type().is_dir()) && e.depth() > 0 && outside(&e) => {
                if e.file_type().is_dir() {
                    walker.skip_current_dir();
                }
                if e.file_type().is_dir() || is_candidate(e.path()) {
                    skipped.push(Skipped {
                        path: relative(dir, e.path()),
                        kind: SkipKind::OutsideLink,
                        message: "symbolic link to a place outside the folder; skipped (use --follow-links to read it)"
                            .into(),
                    });
                }
            }
            Ok(e) if e.file_type().is_file() && is_candidate(e.path()) => files.push(e.into_path()),
            Ok(_) => {}
            Err(err) => {
                let path = err.path().map(|p| relative(dir, p)).unwrap_or_else(|| relative(dir, dir));
                let (kind, message) = if err.loop_ancestor().is_some() {
                    (SkipKind::SymlinkLoop, "symbolic link loop; skipped".to_string())
                } else {
                    (SkipKind::Unreadable, format!("cannot read ({err}); skipped"))
                };
                skipped.push(Skipped { path, kind, message });
            }
        }
    }
    (files, skipped)
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let text = rel.to_string_lossy().replace('\\', "/");
    if text.is_empty() {
        ".".into()
    } else {
        text
    }
}

fn hex_prefix(bytes: &[u8], hex_digits: usize) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()[..hex_digits].to_string()
}

/// Reads and decodes a file, noting truncation and lossy decoding in `warnings`.
fn read_text(path: &Path, max_bytes: u64, warnings: &mut Vec<String>) -> Result<(String, String), (SkipKind, String)> {
    let file = File::open(path).map_err(|e| (SkipKind::Unreadable, format!("cannot open ({e}); skipped")))?;
    let mut bytes = Vec::new();
    file.take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| (SkipKind::Unreadable, format!("cannot read ({e}); skipped")))?;
    if bytes.len() as u64 > max_bytes {
        bytes.truncate(max_bytes as usize);
        warnings.push(format!("larger than {} MB; truncated to the first {} MB", max_bytes >> 20, max_bytes >> 20));
    }
    let doc_id = hex_prefix(&Sha256::digest(&bytes), 16);
    let text =
        decode(&bytes, warnings).ok_or((SkipKind::Binary, "binary file (contains NUL bytes); skipped".into()))?;
    if text.trim().is_empty() {
        return Err((SkipKind::Empty, "empty file; skipped".into()));
    }
    Ok((doc_id, text))
}

/// The encoding a file's bytes are in, when not UTF-8 without a byte-order mark: the mark
/// decides (UTF-8, UTF-16 LE/BE); text with a NUL in every other byte and no mark is UTF-16
/// too; invalid UTF-8 is in the encoding chardetng (Firefox's detector) guesses.
fn encoding_of(bytes: &[u8]) -> Option<(&'static encoding_rs::Encoding, usize)> {
    if let Some(found) = encoding_rs::Encoding::for_bom(bytes) {
        return Some(found);
    }
    let head = &bytes[..bytes.len().min(8192)];
    let nul_at = |parity: usize| head.iter().skip(parity).step_by(2).filter(|&&b| b == 0).count();
    let half = head.len() / 2;
    if half >= 2 && nul_at(1) * 10 >= half * 9 && nul_at(0) == 0 {
        return Some((encoding_rs::UTF_16LE, 0));
    }
    if half >= 2 && nul_at(0) * 10 >= half * 9 && nul_at(1) == 0 {
        return Some((encoding_rs::UTF_16BE, 0));
    }
    match std::str::from_utf8(bytes) {
        Ok(_) => None,
        // A cut inside a multi-byte character at the end is our truncation, not bad input.
        Err(e) if e.error_len().is_none() => None,
        Err(_) => {
            let mut detector = chardetng::EncodingDetector::new();
            detector.feed(bytes, true);
            Some((detector.guess(None, true), 0))
        }
    }
}

/// Decodes a file's bytes (see [`encoding_of`]), naming any encoding other than UTF-8 and any
/// bytes that could not be decoded in `warnings`. `None` for binary data.
pub fn decode(bytes: &[u8], warnings: &mut Vec<String>) -> Option<String> {
    let Some((encoding, mark)) = encoding_of(bytes) else {
        if bytes[..bytes.len().min(8192)].contains(&0) {
            return None;
        }
        let valid = std::str::from_utf8(bytes).map_or_else(|e| e.valid_up_to(), |s| s.len());
        return Some(String::from_utf8_lossy(&bytes[..valid]).into_owned());
    };
    let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[mark..]);
    let how = if mark > 0 { "byte-order mark" } else { "detected" };
    if encoding != encoding_rs::UTF_8 {
        if !encoding.name().starts_with("UTF-16") && text.contains('\0') {
            return None;
        }
        warnings.push(format!("not UTF-8: decoded as {} ({how})", encoding.name()));
    }
    if had_errors {
        warnings.push(format!("bytes not valid in {}; shown as U+FFFD", encoding.name()));
    }
    Some(text.into_owned())
}

fn read_document(root: &Path, path: &Path, options: &IngestOptions) -> Result<Document, Skipped> {
    let rel = relative(root, path);
    let mut warnings = Vec::new();
    let (doc_id, raw) = read_text(path, options.max_file_bytes, &mut warnings).map_err(|(kind, message)| Skipped {
        path: rel.clone(),
        kind,
        message,
    })?;
    let (page, markup) = if is_web_page(&rel) {
        (html::page(&raw), Markup::Decoded)
    } else {
        (parse::split_page(&raw), Markup::Encoded)
    };
    let row = options.metadata.as_ref().and_then(|t| t.row(&rel));
    let mut doc = document_from(page, markup, row, doc_id, rel.clone());
    warnings.append(&mut doc.warnings);
    doc.warnings = warnings;
    if doc.text.is_empty() {
        // A title taken from the file name says nothing about the content.
        if doc.title.is_empty() || doc.title == path_stem(&rel) {
            return Err(Skipped {
                path: rel,
                kind: SkipKind::NoText,
                message: "no text left after removing metadata and site chrome; skipped".into(),
            });
        }
        doc.warnings.push("no body text after removing metadata and site chrome; analysed by its title".into());
    }
    Ok(doc)
}

/// Builds a document from the text of one page. `doc_id` and `path` are given by the caller.
pub fn build_document(raw: &str, doc_id: String, path: String) -> Document {
    document_from(parse::split_page(raw), Markup::Encoded, None, doc_id, path)
}

/// Whether a page's lines still hold HTML entities and Markdown escapes (pages exported as text)
/// or were decoded already (saved web pages, decoded by the HTML parser): decoding twice would
/// turn the text "&lt;" into "<".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Markup {
    Encoded,
    Decoded,
}

/// A document from a page split into metadata, heading and lines; `row` adds a metadata table's
/// values for the keys the page does not state.
fn document_from(
    page: parse::RawPage,
    markup: Markup,
    row: Option<&Metadata>,
    doc_id: String,
    path: String,
) -> Document {
    let mut warnings = page.warnings;
    let mut metadata = page.metadata;
    if let Some(row) = row {
        table::fill(&mut metadata, row);
    }
    let draft = match markup {
        Markup::Encoded => clean::clean(page.lines),
        Markup::Decoded => clean::strip(clean::Draft { lines: page.lines, ..clean::Draft::default() }),
    };
    let heading = page.heading.or_else(|| parse::first(&metadata, "title").map(str::to_string));
    let title = resolve_title(heading.as_deref(), draft.shown_title.as_deref(), &draft.lines, &path);
    let title_key = title.to_lowercase();
    let body: Vec<String> = draft
        .lines
        .into_iter()
        .filter(|l| {
            l.len() < title_key.len() / 2 || l.trim().trim_start_matches('#').trim().to_lowercase() != title_key
        })
        .collect();
    let text = clean::join_text(&body);

    let meta_date = parse::first(&metadata, "date").and_then(meta::parse_date);
    let date = meta_date.into_iter().chain(draft.dates.iter().copied()).find(|d| !meta::is_placeholder(*d));
    let meta_year = parse::first(&metadata, "year").and_then(|y| y.trim().parse::<i32>().ok()).filter(|&y| y != 1970);
    let year = date.map(|d| d.year()).or(meta_year);

    let raw_country = parse::first(&metadata, "country").map(str::trim);
    let country = raw_country.map(|c| if meta::is_global_country(c) { "Global".to_string() } else { c.to_string() });
    let continent = parse::first(&metadata, "continent")
        .and_then(meta::canonical_continent)
        .or_else(|| raw_country.and_then(meta::continent_of));
    if let (Some(c), None) = (raw_country, continent) {
        warnings.push(format!("country {c:?} is not in the continent table; continent unknown"));
    }

    let language = match parse::first(&metadata, "language") {
        Some(given) => lang::normalise(given).or_else(|| {
            warnings.push(format!("language {given:?} not understood; detected from the text instead"));
            lang::detect(if text.is_empty() { &title } else { &text })
        }),
        None => lang::detect(if text.is_empty() { &title } else { &text }),
    };
    Document {
        doc_id,
        path,
        title,
        doc_type: parse::first(&metadata, "type").map(str::to_string),
        country,
        continent: continent.map(str::to_string),
        date,
        year,
        language,
        author: draft.author.or_else(|| parse::first(&metadata, "author").map(str::to_string)),
        source: parse::first(&metadata, "source").map(str::to_string),
        words: text.split_whitespace().count(),
        text,
        metadata,
        warnings,
    }
}

fn is_ellipsis(s: &str) -> bool {
    s.ends_with('…') || s.ends_with("...")
}

/// The article's real title: the page heading unless it is chrome, completed from the body when
/// the heading was cut off with an ellipsis; else the title shown by the site's header; else
/// the first short line; else the file name.
fn resolve_title(heading: Option<&str>, shown: Option<&str>, lines: &[String], path: &str) -> String {
    let heading = heading.map(str::trim).filter(|h| !h.is_empty() && !clean::is_chrome_heading(h));
    let candidate = heading.or(shown.map(str::trim).filter(|s| !s.is_empty())).map(unglue_medium_title);
    if let Some(title) = candidate {
        if !is_ellipsis(title) {
            return title.to_string();
        }
        let prefix = title.trim_end_matches('…').trim_end_matches("...").trim().to_lowercase();
        let full = shown
            .into_iter()
            .chain(lines.iter().map(String::as_str))
            .map(|l| l.trim().trim_start_matches('#').trim())
            .find(|l| {
                l.len() > prefix.len() && l.to_lowercase().starts_with(&prefix) && l.split_whitespace().count() <= 40
            });
        return full.unwrap_or(title).to_string();
    }
    lines
        .iter()
        .map(|l| l.trim().trim_start_matches('#').trim())
        .find(|l| !l.is_empty() && l.split_whitespace().count() <= 20)
        .map(str::to_string)
        .unwrap_or_else(|| path_stem(path))
}

/// Some Medium headings run the byline into the title: "Cities in MotionUNDP Accelerator
/// LabsFollow7 min read·…". The title ends where a lower-case letter touches a capital.
fn unglue_medium_title(title: &str) -> &str {
    if !title.contains("min read") {
        return title;
    }
    let chars: Vec<(usize, char)> = title.char_indices().collect();
    chars.windows(2).find(|w| w[0].1.is_lowercase() && w[1].1.is_uppercase()).map_or(title, |w| title[..w[1].0].trim())
}

fn path_stem(path: &str) -> String {
    Path::new(path).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
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

/// Counts of documents by type, language, continent and year, plus warnings by kind, as text.
pub fn summary_table(corpus: &Corpus) -> String {
    use std::collections::BTreeMap;
    use std::fmt::Write;
    fn section(out: &mut String, title: &str, counts: BTreeMap<String, usize>) {
        let _ = writeln!(out, "\n{title}");
        let mut rows: Vec<_> = counts.into_iter().collect();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        for (key, n) in rows {
            let _ = writeln!(out, "  {key:<28} {n:>7}");
        }
    }
    fn count(values: impl Iterator<Item = Option<String>>) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for v in values {
            *counts.entry(v.unwrap_or_else(|| "(none)".into())).or_insert(0) += 1;
        }
        counts
    }
    let docs = &corpus.documents;
    let mut out = format!(
        "{} files: {} documents, {} duplicates, {} skipped\n",
        corpus.files_seen,
        docs.len(),
        corpus.duplicates.len(),
        corpus.skipped.len()
    );
    section(&mut out, "type", count(docs.iter().map(|d| d.doc_type.clone())));
    section(&mut out, "language", count(docs.iter().map(|d| d.language.clone())));
    section(&mut out, "continent", count(docs.iter().map(|d| d.continent.clone())));
    section(&mut out, "year", count(docs.iter().map(|d| d.year.map(|y| y.to_string()))));
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
    section(&mut out, "warnings", kinds);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ellipsis_heading_is_completed_from_body() {
        let lines = vec![
            "Synergy in Circularity: Unleashing the Power of Co-creation for Scaling Circular Economy".to_string()
        ];
        let t = resolve_title(
            Some("Synergy in Circularity: Unleashing the Power of Co-creation for Scaling Ci…"),
            None,
            &lines,
            "a.txt",
        );
        assert_eq!(t, lines[0]);
    }

    #[test]
    fn glued_medium_heading_is_cut_at_the_byline() {
        let t = resolve_title(
            Some("Cities in Motion: Reimagining Urban InnovationUNDP Accelerator LabsFollow7 min read·Oct 2"),
            None,
            &[],
            "a.txt",
        );
        assert_eq!(t, "Cities in Motion: Reimagining Urban Innovation");
    }

    #[test]
    fn chrome_heading_falls_back_to_shown_title() {
        assert_eq!(resolve_title(Some("Write"), Some("Real"), &[], "a.txt"), "Real");
        assert_eq!(resolve_title(None, None, &[], "dir/a.txt"), "a");
    }

    #[test]
    fn placeholder_date_falls_back_to_body_date() {
        let doc = build_document(
            "# T\n[[year:1970]]\n[[date:January 1, 1970]]\n[[country:Null Island]]\nMAY 30, 2023\nSome words here for text.",
            "x".into(),
            "a.txt".into(),
        );
        assert_eq!(doc.date, NaiveDate::from_ymd_opt(2023, 5, 30));
        assert_eq!(doc.year, Some(2023));
        assert_eq!(doc.country.as_deref(), Some("Global"));
        assert_eq!(doc.continent.as_deref(), Some("Global"));
    }

    #[test]
    fn placeholder_without_body_date_is_null() {
        let doc =
            build_document("# T\n[[year:1970]]\n[[date:January 1, 1970]]\nText only.", "x".into(), "a.txt".into());
        assert_eq!(doc.date, None);
        assert_eq!(doc.year, None);
    }

    #[test]
    fn seven_seas_continent_resolves_from_country() {
        let doc = build_document(
            "# T\n[[continent:Seven seas (open ocean)]]\n[[country:Maldives]]\nText.",
            "x".into(),
            "a.txt".into(),
        );
        assert_eq!(doc.continent.as_deref(), Some("Asia"));
    }

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
