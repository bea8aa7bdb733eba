//! The store's tables, and the columns each version since the first added.

/// The tables of a store of [`super::SCHEMA_VERSION`].
pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS embeddings (
    model_id TEXT NOT NULL,
    coverage TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model_id, coverage, text_hash)
);
CREATE TABLE IF NOT EXISTS sentences (
    model_id TEXT NOT NULL,
    coverage TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    spans TEXT NOT NULL,
    similarities BLOB NOT NULL,
    vectors BLOB NOT NULL,
    PRIMARY KEY (model_id, coverage, text_hash)
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    finished TEXT NOT NULL,
    summary TEXT NOT NULL,
    analysis TEXT,
    undone INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS documents (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime INTEGER NOT NULL,
    doc_id TEXT NOT NULL,
    json TEXT NOT NULL,
    parser TEXT NOT NULL DEFAULT '',
    duplicate_of TEXT
);
CREATE TABLE IF NOT EXISTS themes (
    run_id INTEGER NOT NULL,
    theme_id INTEGER NOT NULL,
    label TEXT NOT NULL,
    size INTEGER NOT NULL,
    centroid BLOB NOT NULL,
    label_extracted INTEGER NOT NULL DEFAULT 0,
    label_generated INTEGER NOT NULL DEFAULT 0,
    description TEXT,
    PRIMARY KEY (run_id, theme_id)
);
CREATE TABLE IF NOT EXISTS generated (
    key TEXT PRIMARY KEY,
    answer TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS curation (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    made TEXT NOT NULL,
    command TEXT NOT NULL,
    decisions TEXT NOT NULL,
    run_id INTEGER,
    undone INTEGER NOT NULL DEFAULT 0
);
";

/// Columns added since version 1, with the statement that adds each to an older store.
pub(super) const ADDED_COLUMNS: &[(&str, &str, &str)] = &[
    ("runs", "analysis", "ALTER TABLE runs ADD COLUMN analysis TEXT"),
    ("documents", "parser", "ALTER TABLE documents ADD COLUMN parser TEXT NOT NULL DEFAULT ''"),
    ("documents", "duplicate_of", "ALTER TABLE documents ADD COLUMN duplicate_of TEXT"),
    ("runs", "undone", "ALTER TABLE runs ADD COLUMN undone INTEGER NOT NULL DEFAULT 0"),
    // Unknown for the runs of older stores: 0, so no label of theirs is taken for extracted.
    ("themes", "label_extracted", "ALTER TABLE themes ADD COLUMN label_extracted INTEGER NOT NULL DEFAULT 0"),
    ("themes", "label_generated", "ALTER TABLE themes ADD COLUMN label_generated INTEGER NOT NULL DEFAULT 0"),
    ("themes", "description", "ALTER TABLE themes ADD COLUMN description TEXT"),
];
