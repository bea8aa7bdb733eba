//! Helpers shared by the end-to-end tests: the binary, the shared corpus, and prerequisites.
//!
//! A test whose prerequisite (`../shared`, Chromium, root for a tmpfs) is missing prints SKIP and
//! passes on a developer's machine, but fails when `THEMESCOPE_TEST_REQUIRE=1` is set, as `.ci/run`
//! does: in CI a broken setup must not pass silently.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_themescope"))
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Whether a prerequisite is there; when it is not, SKIP (or fail under THEMESCOPE_TEST_REQUIRE).
pub fn prerequisite(what: &str, available: bool) -> bool {
    if available {
        return true;
    }
    if std::env::var_os("THEMESCOPE_TEST_REQUIRE").is_some_and(|v| v != "0") {
        panic!("{what} is missing, and THEMESCOPE_TEST_REQUIRE is set: this setup cannot run the test");
    }
    println!("SKIP: {what} is missing");
    false
}

pub fn shared_corpus() -> Option<PathBuf> {
    let dir = root().join("../shared/corpus/undp");
    prerequisite(&format!("the shared corpus {}", dir.display()), dir.is_dir()).then_some(dir)
}

/// The first `n` pages of a `[[type:…]]` in the shared corpus, by file name (the same on every
/// machine).
pub fn real_pages(kind: &str, n: usize) -> Option<Vec<PathBuf>> {
    let corpus = shared_corpus()?;
    let marker = format!("[[type:{kind}]]");
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains(&marker)))
        .collect();
    pages.sort();
    pages.truncate(n);
    Some(pages)
}

pub fn real_blogs(n: usize) -> Option<Vec<PathBuf>> {
    real_pages("blog", n)
}

pub fn copy_into(dir: &Path, files: &[PathBuf]) {
    for p in files {
        std::fs::copy(p, dir.join(p.file_name().unwrap())).unwrap();
    }
}

/// Runs `themescope analyze INPUT --out OUT ARGS…` to its end, whatever its outcome.
pub fn analyze_with(input: &Path, out: &Path, args: &[&str]) -> std::process::Output {
    bin().arg("analyze").arg(input).arg("--out").arg(out).args(args).output().unwrap()
}

/// Runs `themescope analyze INPUT --out OUT ARGS…`, which must succeed; returns its standard
/// error.
pub fn analyze_ok(input: &Path, out: &Path, args: &[&str]) -> String {
    let o = analyze_with(input, out, args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `themescope analyze INPUT --out OUT --themes 5 --max-tokens-per-doc 512 EXTRA…`, which
/// must succeed; returns its standard error.
pub fn analyze_run(input: &Path, out: &Path, extra: &[&str]) -> String {
    analyze_ok(input, out, &[&["--themes", "5", "--max-tokens-per-doc", "512"], extra].concat())
}

/// Cosine of two vectors, in f64 whatever their element types.
pub fn cosine<A: Copy + Into<f64>, B: Copy + Into<f64>>(a: &[A], b: &[B]) -> f64 {
    let norm = |v: &mut dyn Iterator<Item = f64>| v.map(|x| x * x).sum::<f64>().sqrt();
    let dot: f64 = a.iter().zip(b).map(|(x, y)| (*x).into() * (*y).into()).sum();
    dot / (norm(&mut a.iter().map(|x| (*x).into())) * norm(&mut b.iter().map(|y| (*y).into())))
}

pub fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Rows of a CSV file as maps from column name to value.
pub fn read_csv(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    reader.records().map(|r| header.iter().cloned().zip(r.unwrap().iter().map(str::to_string)).collect()).collect()
}

/// doc_id → theme_id from documents.csv.
pub fn theme_of(out: &Path) -> std::collections::HashMap<String, String> {
    read_csv(&out.join("documents.csv")).into_iter().map(|r| (r["doc_id"].clone(), r["theme_id"].clone())).collect()
}

/// A small folder of real-looking pages, one carrying markup that must never run.
pub fn hostile_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let pages = [
        ("a.txt", "# Solar kiosks <script>alert(1)</script>\n[[country:Kenya]]\n[[year:2021]]\n[[source:javascript:alert(2)]]\nSolar kiosks bring electricity to rural villages. The lab tested three kiosk designs with local traders. Each kiosk charges phones and lamps for a small fee.\n"),
        ("b.txt", "# Water filters\n[[country:Peru]]\n[[year:2022]]\n[[source:https://example.org/water]]\nCommunities built sand filters for clean drinking water. The filters remove most bacteria from river water. Families now spend less on bottled water.\n"),
        ("c.txt", "# Solar pumps\n[[country:Kenya]]\n[[year:2022]]\nFarmers used solar pumps to irrigate small plots. The pumps replaced diesel generators on twelve farms. Harvests grew in the dry season.\n"),
        ("d.txt", "# Clean water for schools\n[[country:Peru]]\n[[year:2023]]\nSchools installed rainwater tanks and filters. Pupils now have clean water during the school day. Absences due to illness fell.\n"),
    ];
    for (name, text) in pages {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

/// Debian's Chromium, when installed.
pub fn chromium() -> Option<&'static str> {
    let found = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|c| Command::new(c).arg("--version").output().is_ok_and(|o| o.status.success()));
    prerequisite("chromium (.ci/run installs Debian's chromium)", found.is_some()).then_some(found?)
}

/// Runs headless Chromium on a page and returns what its DOM holds once the script has run.
pub fn dump_dom(chromium: &str, url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let o = Command::new(chromium)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        .args(["--disable-component-update", "--disable-sync", "--no-first-run", "--virtual-time-budget=5000"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(url)
        .output()
        .unwrap();
    String::from_utf8_lossy(&o.stdout).into_owned()
}
