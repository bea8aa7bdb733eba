//! The `themescope` command line: a thin layer over the library.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};
use themescope::analyze::{self, AnalyzeOptions};
use themescope::compare::{self, Facet};
use themescope::embed::{Backend, Coverage, Embedder};
use themescope::ingest::{self, IngestOptions};
use themescope::progress;
use themescope::report;
use themescope::themes::{ThemeCount, ThemeOptions};

/// Turn a folder of articles into theme reports.
#[derive(Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Ingest, embed (cached in OUT), discover themes and write OUT/themes.json, documents.csv, run.json.
    Analyze(AnalysisArgs),
    /// Run the analysis and print theme quality as JSON: NPMI coherence, topic diversity,
    /// NMI/ARI against a metadata key, NMI against language.
    Evaluate {
        #[command(flatten)]
        analysis: AnalysisArgs,
        /// Metadata key whose first value the themes are compared with (e.g. sdgs).
        #[arg(long)]
        against: Option<String>,
    },
    /// Compare countries, continents, years or types: theme shares, distinctive themes and terms,
    /// narrative similarity. Writes OUT/compare-<facet>.html, .md and .json.
    Compare {
        #[command(flatten)]
        analysis: AnalysisArgs,
        /// What to compare.
        #[arg(long, value_enum)]
        by: FacetArg,
        /// Values to compare (default: the most frequent ones).
        #[arg(long = "value", num_args = 1..)]
        values: Vec<String>,
        /// How many of the most frequent values to compare when none are named.
        #[arg(long, default_value_t = 12)]
        top: usize,
    },
    /// List past runs on an output folder: date, documents, themes, parameters.
    History {
        /// Output folder of earlier runs.
        #[arg(default_value = "reports")]
        out: PathBuf,
    },
    /// Read and clean every .txt/.md file under DIR and print what was found.
    Ingest {
        /// Folder of seed documents.
        dir: PathBuf,
        /// table: counts by type, language, continent and year; jsonl: one JSON object per document.
        #[arg(long, value_enum, default_value_t = IngestFormat::Table)]
        format: IngestFormat,
    },
    /// Embed JSON lines {"id": …, "text": …} and print {"id": …, "embedding": […]} lines.
    ///
    /// By default the vectors are exactly sentence-transformers' (text cut at the model's
    /// window); --whole-document covers the whole text in windows, pooled.
    Embed {
        /// Model folder or name (default all-MiniLM-L6-v2, fetched into models/ when missing).
        #[arg(long)]
        model: Option<String>,
        /// What runs the model: native (built in), or rust-bert (builds with --features rust-bert).
        #[arg(long, env = "THEMESCOPE_BACKEND", default_value = "native")]
        backend: Backend,
        /// JSON-lines file to read, or - for standard input.
        #[arg(long, default_value = "-")]
        input: String,
        /// Cover the whole text (token-weighted mean of window vectors) instead of the first window.
        #[arg(long)]
        whole_document: bool,
    },
}

/// Options shared by every command that runs the analysis.
#[derive(Args)]
struct AnalysisArgs {
    /// Folder of seed documents.
    #[arg(default_value = "seeds")]
    dir: PathBuf,
    /// Output folder (also holds the store, themescope.sqlite).
    #[arg(long, default_value = "reports")]
    out: PathBuf,
    /// Number of themes: auto (chosen by silhouette) or a number.
    #[arg(long, default_value = "auto")]
    themes: String,
    /// Random seed: the same input and seed give the same themes.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// TOML file of named themes (default: the built-in taxonomy.toml).
    #[arg(long)]
    taxonomy: Option<PathBuf>,
    /// Model folder or name (default all-MiniLM-L6-v2, fetched into models/ when missing).
    #[arg(long)]
    model: Option<String>,
    /// What runs the model: native (built in), or rust-bert (builds with --features rust-bert).
    #[arg(long, env = "THEMESCOPE_BACKEND", default_value = "native")]
    backend: Backend,
    /// Embed at most N tokens per document (default: the whole document).
    #[arg(long)]
    max_tokens_per_doc: Option<usize>,
    /// Put new documents into the previous run's themes instead of clustering again (fast path
    /// for small additions).
    #[arg(long)]
    keep_themes: bool,
    /// The model reads every language of the corpus (e.g. a multilingual XLM-R model): cluster all
    /// pages together instead of removing language directions and fitting themes on the main
    /// language.
    #[arg(long)]
    multilingual: bool,
    /// Analyse only documents of this type ([[type:…]], e.g. blog or solution).
    #[arg(long = "type")]
    only_type: Option<String>,
}

impl AnalysisArgs {
    fn options(self) -> anyhow::Result<AnalyzeOptions> {
        let count = match self.themes.as_str() {
            "auto" => ThemeCount::Auto,
            n => ThemeCount::Fixed(
                n.parse().ok().filter(|&n: &usize| n > 0).context("--themes takes auto or a positive number")?,
            ),
        };
        Ok(AnalyzeOptions {
            input: self.dir,
            out: self.out,
            model: self.model,
            backend: self.backend,
            themes: ThemeOptions {
                count,
                seed: self.seed,
                center_languages: !self.multilingual,
                ..ThemeOptions::default()
            },
            taxonomy: self.taxonomy,
            max_tokens_per_doc: self.max_tokens_per_doc,
            only_type: self.only_type,
            keep_themes: self.keep_themes,
            summaries: true,
            progress: true,
        })
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum FacetArg {
    Country,
    Continent,
    Year,
    Type,
}

impl From<FacetArg> for Facet {
    fn from(f: FacetArg) -> Self {
        match f {
            FacetArg::Country => Facet::Country,
            FacetArg::Continent => Facet::Continent,
            FacetArg::Year => Facet::Year,
            FacetArg::Type => Facet::Type,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum IngestFormat {
    Table,
    Jsonl,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Analyze(args) => {
            let options = args.options()?;
            run_analysis(&options)?;
            println!("report written to {}", options.out.display());
            Ok(())
        }
        Command::Evaluate { analysis, against } => {
            // Quality figures do not need summaries; skipping them saves a sentence embedding pass.
            let options = AnalyzeOptions { summaries: false, ..analysis.options()? };
            let analysis = run_analysis(&options)?;
            let evaluation = analyze::evaluate(&analysis, against.as_deref());
            println!("{}", serde_json::to_string_pretty(&evaluation)?);
            Ok(())
        }
        Command::Compare { analysis, by, values, top } => {
            let options = analysis.options()?;
            let analysis = run_analysis(&options)?;
            let facet = Facet::from(by);
            let values =
                if values.is_empty() { compare::top_values(&analysis.corpus.documents, facet, top) } else { values };
            let comparison = compare::compare(&analysis, facet, &values);
            let page = report::comparison::write(&options.out, &comparison)?;
            // Re-render the main report so its countries section links to the comparison.
            analyze::rewrite_report(&options, &analysis)?;
            println!("comparison written to {}", page.display());
            Ok(())
        }
        Command::History { out } => {
            let path = out.join(analyze::STORE_FILE);
            anyhow::ensure!(path.is_file(), "{}: no themescope runs here (no {})", out.display(), analyze::STORE_FILE);
            let store = themescope::store::Store::open(&path)?;
            for (finished, s) in store.runs()? {
                let d = &s["documents"];
                let t = &s["themes"];
                println!(
                    "{finished}  {} documents ({} new, {} changed, {} removed, {} embedded)  {} themes ({} kept, {} new, {} retired)  params {}",
                    d["total"], d["new"], d["changed"], d["removed"], d["embedded"], t["count"], t["kept"], t["new"], t["retired"], s["params"]
                );
            }
            Ok(())
        }
        Command::Ingest { dir, format } => {
            let corpus = ingest::ingest_dir(&dir, &IngestOptions::default())?;
            for warning in corpus.warnings() {
                eprintln!("warning: {warning}");
            }
            match format {
                IngestFormat::Jsonl => {
                    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
                    for doc in &corpus.documents {
                        writeln!(out, "{}", serde_json::to_string(doc)?)?;
                    }
                    out.flush()?;
                }
                IngestFormat::Table => print!("{}", ingest::summary_table(&corpus)),
            }
            Ok(())
        }
        Command::Embed { model, backend, input, whole_document } => {
            let coverage = if whole_document { Coverage::Whole { max_tokens: None } } else { Coverage::FirstWindow };
            embed_jsonl(model.as_deref(), backend, &input, coverage)
        }
    }
}

/// Runs the analysis and reports warnings and counts on standard error.
fn run_analysis(options: &AnalyzeOptions) -> anyhow::Result<analyze::Analysis> {
    let analysis = analyze::analyze(options)?;
    for warning in analysis.corpus.warnings() {
        eprintln!("warning: {warning}");
    }
    let docs = analysis.corpus.documents.len();
    let (changes, continuity) = (&analysis.changes, &analysis.continuity);
    let themes = analysis.model.themes.len();
    // Kept/new/retired only mean something against an earlier run.
    let since = if analysis.previous_run.is_some() {
        format!(" ({} kept, {} new, {} retired)", continuity.kept.len(), continuity.new.len(), continuity.retired.len())
    } else {
        String::new()
    };
    eprintln!(
        "{} ({} embedded, {} from cache; {} new, {} changed, {} removed), {}{since} in {:.1} s",
        plural(docs, "document"),
        analysis.embedded,
        docs - analysis.embedded,
        changes.new.len(),
        changes.changed.len(),
        changes.removed.len(),
        plural(themes, "theme"),
        analysis.seconds
    );
    Ok(analysis)
}

/// "1 theme", "3 themes".
fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[derive(serde::Deserialize)]
struct EmbedInput {
    id: serde_json::Value,
    text: String,
}

fn embed_jsonl(model: Option<&str>, backend: Backend, input: &str, coverage: Coverage) -> anyhow::Result<()> {
    let reader: Box<dyn BufRead> = if input == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(std::fs::File::open(input).with_context(|| format!("{input}: cannot open"))?))
    };
    let mut items = Vec::new();
    for (n, line) in reader.lines().enumerate() {
        let line = line.with_context(|| format!("{input}: read error"))?;
        if line.trim().is_empty() {
            continue;
        }
        let item: EmbedInput = serde_json::from_str(&line)
            .with_context(|| format!("{input}:{}: expected {{\"id\": …, \"text\": …}}", n + 1))?;
        items.push(item);
    }
    let embedder = Embedder::load(model, backend)?;
    let texts: Vec<&str> = items.iter().map(|i| i.text.as_str()).collect();
    let bar = progress::bar(texts.len() as u64, "embedding");
    let vectors = embedder.embed_texts(&texts, coverage, &bar)?;
    bar.finish_and_clear();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (item, v) in items.iter().zip(vectors.rows()) {
        let line = serde_json::json!({"id": item.id, "embedding": v.to_vec()});
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(())
}
