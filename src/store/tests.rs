//! Tests of [`super`]: the store module's unit tests, kept apart so the module reads on its own.

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
    let central = CentralSentences {
        spans: vec![3..9, 0..2],
        vectors: vec![vec![0.6, 0.8], vec![1.0, 0.0]],
        similarities: vec![0.9, 0.5],
    };
    store.put_documents("m", "whole", "s1", &[("h3", &[0.0, 1.0][..], Some(&central))]).unwrap();
    assert_eq!(
        store.central_sentences("m", "s1", &["h3", "h1"]).unwrap(),
        HashMap::from([("h3".to_string(), central)])
    );
    assert!(store.central_sentences("m", "s2", &["h3"]).unwrap().is_empty(), "another way of choosing, another key");
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
    assert!(matches!(Store::open_or_rebuild(&path), Err(StoreError::TooNew { .. })), "never moved aside");
}

#[test]
fn files_parsed_by_another_version_are_not_known() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.sqlite")).unwrap();
    let doc = crate::ingest::build_document("# T\nText.", "id".into(), "a.txt".into());
    let files = [FileRecord { document: &doc, size: 5, mtime: 7, duplicate_of: None }];
    store.record_run("then", &RunSummary::default(), "{}", &[], &files, "parser-1").unwrap();
    assert_eq!(store.files(Some("parser-1")).unwrap().len(), 1);
    assert!(store.files(Some("parser-2")).unwrap().is_empty());
    assert_eq!(store.files(None).unwrap().len(), 1);
    assert_eq!(store.last_analysis().unwrap().as_deref(), Some("{}"));
}

#[test]
fn a_damaged_store_is_moved_aside_and_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    std::fs::write(&path, b"this is not a database, just some text that is long enough").unwrap();
    let (store, message) = Store::open_or_rebuild(&path).unwrap();
    let message = message.expect("the user is told");
    assert!(message.contains("moved it to") && message.contains(".broken-"), "{message}");
    assert!(store.last_run().unwrap().is_none());
    let kept: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".broken-"))
        .collect();
    assert_eq!(kept.len(), 1, "the damaged file is kept");
}

#[test]
fn a_version_2_store_is_upgraded_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
         INSERT INTO meta VALUES ('schema_version', '2');
         CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, finished TEXT NOT NULL, summary TEXT NOT NULL);
         INSERT INTO runs (finished, summary) VALUES ('then', '{}');
         CREATE TABLE documents (path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime INTEGER NOT NULL, doc_id TEXT NOT NULL, json TEXT NOT NULL);",
    )
    .unwrap();
    drop(conn);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.runs().unwrap().len(), 1, "history kept");
    assert_eq!(store.last_analysis().unwrap(), None, "an old run recorded no analysis");
}
