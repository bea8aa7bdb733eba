//! One analysis, the same everywhere: `compare` and `evaluate` use the analysis stored in OUT as it
//! is, every output names themes by their stable ids and agrees with the others when joined as a
//! user would join them, every input file has a row, and caches know which version made them.

mod common;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use common::*;

/// The HTML report without the paragraph that links (or invites) comparisons.
fn without_comparison_link(html: &str) -> String {
    let start = html.find("<h2 id=\"countries\">").expect("a countries section");
    let p = start + html[start..].find("<p").unwrap();
    let end = p + html[p..].find("</p>").unwrap() + 4;
    format!("{}{}", &html[..p], &html[end..])
}

fn store_counts(out: &Path) -> (i64, i64) {
    let conn = rusqlite::Connection::open(out.join("themescope.sqlite")).unwrap();
    let count = |table: &str| conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0)).unwrap();
    (count("runs"), count("embeddings"))
}

#[test]
fn later_commands_use_the_stored_analysis_and_every_output_agrees() {
    let Some(blogs) = real_blogs(30) else { return };
    let input = tempfile::tempdir().unwrap();
    copy_into(input.path(), &blogs);
    // Two exact duplicates under other names.
    std::fs::copy(&blogs[0], input.path().join("zz-copy-a.txt")).unwrap();
    std::fs::copy(&blogs[1], input.path().join("zz-copy-b.txt")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = analyze_with(input.path(), out.path(), &["--seed", "5", "--max-tokens-per-doc", "256"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let read = |name: &str| std::fs::read(out.path().join(name)).unwrap();
    let (themes_before, csv_before, run_before) = (read("themes.json"), read("documents.csv"), read("run.json"));
    let html_before = String::from_utf8(read("index.html")).unwrap();
    let counts_before = store_counts(out.path());

    // compare without the analysis options: the stored analysis, untouched.
    let o = bin().args(["compare", "--by", "continent", "--out"]).arg(out.path()).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(store_counts(out.path()), counts_before, "no new run, no new vectors");
    assert_eq!(read("themes.json"), themes_before);
    assert_eq!(read("documents.csv"), csv_before);
    assert_eq!(read("run.json"), run_before);
    let html_after = String::from_utf8(read("index.html")).unwrap();
    assert!(html_after.contains("href=\"compare-continent.html\""), "the report links the comparison");
    assert_eq!(without_comparison_link(&html_after), without_comparison_link(&html_before), "nothing else changed");

    // Options that differ from the stored analysis are refused, with what to do.
    let o = bin().args(["compare", "--by", "country", "--seed", "7", "--out"]).arg(out.path()).output().unwrap();
    assert!(!o.status.success());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("--seed 5") && stderr.contains("--seed 7") && stderr.contains("themescope analyze"),
        "{stderr}"
    );
    assert!(!out.path().join("compare-country.html").exists());
    // The same options as stored are fine.
    let o = bin().args(["evaluate", "--seed", "5", "--against", "sdgs", "--out"]).arg(out.path()).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let evaluation: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let themes = read_json(&out.path().join("themes.json"));
    let theme_list = themes["themes"].as_array().unwrap();
    assert_eq!(evaluation["themes"], theme_list.len());
    for measure in ["npmi", "diversity", "nmi_language", "place_or_name_keywords", "foreign_labels", "label_coverage"] {
        assert!(evaluation[measure].is_number(), "evaluate prints {measure}");
    }
    assert_eq!(store_counts(out.path()), counts_before, "evaluate runs nothing either");

    // Joined as a user would: every id in every file is a theme id of themes.json.
    let ids: HashSet<String> = theme_list.iter().map(|t| t["id"].to_string()).collect();
    let rows = read_csv(&out.path().join("documents.csv"));
    assert_eq!(rows.len(), 32, "every input file has a row, duplicates too");
    let by_id: HashMap<&str, &HashMap<String, String>> = rows.iter().map(|r| (r["doc_id"].as_str(), r)).collect();
    for r in &rows {
        assert!(ids.contains(&r["theme_id"]), "documents.csv theme {}", r["theme_id"]);
        let theme = theme_list.iter().find(|t| t["id"] == r["theme_id"].parse::<u64>().unwrap()).unwrap();
        assert_eq!(theme["label"], r["theme_label"].as_str(), "labels agree");
        if !r["duplicate_of"].is_empty() {
            let original = by_id[r["duplicate_of"].as_str()];
            assert_eq!(original["theme_id"], r["theme_id"], "a duplicate has its original's theme");
            assert!(r["path"].starts_with("zz-copy-"));
        }
    }
    assert_eq!(rows.iter().filter(|r| !r["duplicate_of"].is_empty()).count(), 2);
    let json_docs = read_json(&out.path().join("documents.json"));
    let json_docs = json_docs["documents"].as_array().unwrap();
    assert_eq!(json_docs.len(), rows.len());
    for d in json_docs {
        let row = rows.iter().find(|r| r["path"] == d["path"].as_str().unwrap()).unwrap();
        assert_eq!(d["theme_id"].to_string(), row["theme_id"], "documents.json and documents.csv agree");
    }
    for p in themes["parents"].as_array().unwrap() {
        for child in p["children"].as_array().unwrap() {
            assert!(ids.contains(&child.to_string()), "parent child {child} is a theme id");
        }
    }
    let comparison = read_json(&out.path().join("compare-continent.json"));
    let compared: Vec<String> = comparison["themes"].as_array().unwrap().iter().map(|t| t["id"].to_string()).collect();
    assert_eq!(compared.iter().cloned().collect::<HashSet<_>>(), ids);
    for value in comparison["values"].as_array().unwrap() {
        let shares: Vec<String> =
            value["themes"].as_array().unwrap().iter().map(|t| t["theme_id"].to_string()).collect();
        assert_eq!(shares, compared, "shares are named by theme id, in the same order");
        for d in value["over_represented"].as_array().unwrap() {
            assert!(ids.contains(&d["theme_id"].to_string()));
        }
        let documents = value["documents"].as_u64().unwrap() as usize;
        let continent = value["value"].as_str().unwrap();
        let in_csv = rows.iter().filter(|r| r["continent"] == continent && r["duplicate_of"].is_empty()).count();
        assert_eq!(documents, in_csv, "{continent}: the comparison counts the analysed documents");
        let own: Vec<String> = continent.split(' ').map(str::to_lowercase).collect();
        for language in value["distinctive_terms_by_language"].as_array().unwrap() {
            let thin = language["documents"].as_u64().unwrap() < themescope::compare::THIN as u64;
            assert_eq!(language["thin_evidence"], thin, "{language}");
            for term in language["terms"].as_array().unwrap() {
                let term = term["name"].as_str().unwrap();
                assert!(!term.split(' ').any(|w| own.iter().any(|o| o == w)), "{continent}: its own name in {term:?}");
            }
        }
    }
    let page = std::fs::read_to_string(out.path().join("compare-continent.html")).unwrap();
    for t in theme_list {
        assert!(page.contains(&format!("{}. ", t["id"])), "the comparison names theme {} by its id", t["id"]);
    }

    // A new analysis in the same folder draws the comparison left there again, from its own
    // themes: no page describes themes that no longer exist.
    let values = |c: &serde_json::Value| -> Vec<String> {
        c["values"].as_array().unwrap().iter().map(|v| v["value"].to_string()).collect()
    };
    let o = analyze_with(input.path(), out.path(), &["--seed", "9", "--themes", "3", "--max-tokens-per-doc", "256"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let themes = read_json(&out.path().join("themes.json"));
    let ids: HashSet<String> = themes["themes"].as_array().unwrap().iter().map(|t| t["id"].to_string()).collect();
    assert_eq!(ids.len(), 3);
    let redrawn = read_json(&out.path().join("compare-continent.json"));
    let compared: HashSet<String> = redrawn["themes"].as_array().unwrap().iter().map(|t| t["id"].to_string()).collect();
    assert_eq!(compared, ids, "the comparison follows the new analysis");
    assert_eq!(values(&redrawn), values(&comparison), "with the same values as before");
}

#[test]
fn compare_on_an_empty_folder_runs_the_analysis_and_says_so() {
    let input = hostile_folder();
    let out = tempfile::tempdir().unwrap();
    let o = bin()
        .arg("compare")
        .arg(input.path())
        .args(["--by", "country", "--min-documents", "2", "--themes", "2", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("no analysis here yet; running `themescope analyze` first"), "{stderr}");
    assert!(out.path().join("compare-country.html").is_file() && out.path().join("themes.json").is_file());
    let md = std::fs::read_to_string(out.path().join("compare-country.md")).unwrap();
    assert!(md.starts_with("# Comparison by country") && md.contains("Kenya") && md.contains("Peru"));
}

#[test]
fn files_parsed_by_another_version_of_the_parser_are_parsed_again() {
    let input = hostile_folder();
    let out = tempfile::tempdir().unwrap();
    let run = |out: &Path| {
        let o = analyze_with(input.path(), out, &["--themes", "2"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        read_json(&out.join("run.json"))["documents"]["parsed"].as_u64().unwrap()
    };
    assert_eq!(run(out.path()), 4);
    assert_eq!(run(out.path()), 0, "unchanged files parsed by this version are reused");
    let conn = rusqlite::Connection::open(out.path().join("themescope.sqlite")).unwrap();
    conn.execute("UPDATE documents SET parser = 'ingest-0'", []).unwrap();
    drop(conn);
    assert_eq!(run(out.path()), 4, "a parser version change reaches every file");
}

#[test]
fn store_from_a_newer_themescope_is_refused_and_left_alone() {
    let input = hostile_folder();
    let out = tempfile::tempdir().unwrap();
    let o = analyze_with(input.path(), out.path(), &["--themes", "2"]);
    assert!(o.status.success());
    let conn = rusqlite::Connection::open(out.path().join("themescope.sqlite")).unwrap();
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'", []).unwrap();
    drop(conn);
    for args in [vec!["analyze"], vec!["compare", "--by", "country"]] {
        let o = bin().args(&args).arg(input.path()).arg("--out").arg(out.path()).output().unwrap();
        assert!(!o.status.success());
        assert!(String::from_utf8_lossy(&o.stderr).contains("newer than this themescope understands"));
    }
}

/// An analysis this themescope cannot read is never replaced by one made with default options.
#[test]
fn an_unreadable_stored_analysis_is_refused_not_replaced() {
    let input = hostile_folder();
    let out = tempfile::tempdir().unwrap();
    let o = analyze_with(input.path(), out.path(), &["--themes", "2"]);
    assert!(o.status.success());
    let themes = std::fs::read(out.path().join("themes.json")).unwrap();
    let conn = rusqlite::Connection::open(out.path().join("themescope.sqlite")).unwrap();
    conn.execute("UPDATE runs SET analysis = '{}'", []).unwrap();
    drop(conn);
    let o = bin().args(["compare", "--by", "country", "--out"]).arg(out.path()).output().unwrap();
    assert!(!o.status.success());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("cannot be read") && stderr.contains("themescope analyze DIR --out"), "{stderr}");
    assert_eq!(std::fs::read(out.path().join("themes.json")).unwrap(), themes, "nothing replaced");
}

/// The Parquet exports hold what the CSV and JSON hold, with vectors, and join on theme ids:
/// read back with the parquet crate, and with DuckDB as an analyst would.
#[test]
fn parquet_exports_read_back_and_join() {
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let input = hostile_folder();
    std::fs::copy(input.path().join("b.txt"), input.path().join("b-copy.txt")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = analyze_with(input.path(), out.path(), &["--themes", "2"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let read = |name: &str| {
        let file = std::fs::File::open(out.path().join(name)).unwrap();
        let mut batches = ParquetRecordBatchReaderBuilder::try_new(file).unwrap().build().unwrap();
        let batch = batches.next().unwrap().unwrap();
        assert!(batches.next().is_none(), "a small file is one batch");
        batch
    };
    let docs = read("documents.parquet");
    let themes = read("themes.parquet");
    let csv = read_csv(&out.path().join("documents.csv"));
    assert_eq!(docs.num_rows(), csv.len(), "a row per file, duplicates too");
    let columns: Vec<String> = docs.schema().fields().iter().map(|f| f.name().clone()).collect();
    for column in csv[0].keys() {
        assert!(columns.contains(column), "documents.parquet has {column}");
    }
    let vector = docs.column_by_name("vector").unwrap();
    assert_eq!(
        vector.data_type(),
        &arrow_schema::DataType::FixedSizeList(
            std::sync::Arc::new(arrow_schema::Field::new("item", arrow_schema::DataType::Float32, false)),
            384
        )
    );
    let ids = |batch: &arrow_array::RecordBatch, column: &str| -> Vec<u32> {
        let a = batch.column_by_name(column).unwrap();
        a.as_any().downcast_ref::<arrow_array::UInt32Array>().unwrap().values().to_vec()
    };
    let theme_ids = ids(&themes, "id");
    assert!(
        ids(&docs, "theme_id").iter().all(|t| theme_ids.contains(t)),
        "every document's theme is in themes.parquet"
    );
    let python = std::env::var("THEMESCOPE_DUCKDB_PYTHON").unwrap_or_else(|_| {
        format!("{}/.cache/themescope-venv-duckdb/bin/python", std::env::var("HOME").unwrap_or_default())
    });
    let has_duckdb =
        std::process::Command::new(&python).args(["-c", "import duckdb"]).output().is_ok_and(|o| o.status.success());
    if !prerequisite(&format!("DuckDB in {python} (.ci/run makes it)"), has_duckdb) {
        return;
    }
    let script = r#"
import duckdb, sys
d = sys.argv[1]
con = duckdb.connect()
n_docs = con.execute(f"select count(*) from '{d}/documents.parquet'").fetchone()[0]
n_csv = con.execute(f"select count(*) from read_csv_auto('{d}/documents.csv')").fetchone()[0]
joined = con.execute(f"select count(*) from '{d}/documents.parquet' d join '{d}/themes.parquet' t on d.theme_id = t.id").fetchone()[0]
dim = con.execute(f"select len(vector) from '{d}/documents.parquet' limit 1").fetchone()[0]
print(n_docs, n_csv, joined, dim)
"#;
    let o = std::process::Command::new(&python).arg("-c").arg(script).arg(out.path()).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let counts = String::from_utf8_lossy(&o.stdout).trim().to_string();
    assert_eq!(counts, format!("{0} {0} {0} 384", csv.len()), "rows, CSV rows, joined rows, vector length");
}
