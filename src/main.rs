//! The `themescope` command line: a thin layer over the library.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[path = "cli/output.rs"]
mod output;

use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};
use themescope::analysis::Analysis;
use themescope::compare::{self, Facet};
use themescope::embed::{Backend, Budget, Coverage, Embedder, Precision};
use themescope::ingest::{self, IngestOptions};
use themescope::pipeline::{self, AnalyzeError, AnalyzeOptions};
use themescope::progress;
use themescope::search;
use themescope::settings::{DecidingArgs, Mismatch, RunningArgs, Settings};
use themescope::themes::ThemeId;
use themescope::trends::Period;

/// Turn a folder of articles into theme reports.
#[derive(Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    /// Print each stage's time at the end of an analysis.
    #[arg(short, long, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Ingest, embed (cached in OUT), discover themes and write OUT/themes.json, documents.csv, run.json.
    Analyze {
        #[command(flatten)]
        analysis: AnalysisArgs,
    },
    /// Print the quality of the analysis stored in OUT as JSON: NPMI coherence, topic diversity,
    /// NMI/ARI against a metadata key, NMI against language, places and names among keywords,
    /// labels in the themes' languages, label coverage, names and their margins.
    Evaluate {
        /// Metadata key whose first value the themes are compared with (e.g. sdgs).
        #[arg(long)]
        against: Option<String>,
        #[command(flatten)]
        analysis: StoredArgs,
    },
    /// Compare countries, continents, years or types of the analysis stored in OUT: theme shares,
    /// distinctive themes and terms, narrative similarity. Writes OUT/compare-<facet>.html, .md
    /// and .json and links them from the report; nothing is embedded or clustered again.
    Compare {
        /// What to compare: country, continent, region (UN M49 region and sub-region), bureau
        /// (UNDP regional bureau), year, type, language, folder (the sub-folder of DIR a file
        /// sits in), or any [[key:…]] metadata key.
        #[arg(long)]
        by: Facet,
        /// Values to compare (default: the most frequent ones).
        #[arg(long = "value", num_args = 1..)]
        values: Vec<String>,
        /// How many of the values with most documents to compare when none are named [default: 12].
        #[arg(long)]
        top: Option<usize>,
        /// Values with fewer documents are listed apart as too few to compare, and left out of
        /// rankings and similarities.
        #[arg(long, value_name = "N", default_value_t = compare::DEFAULT_MIN_DOCUMENTS)]
        min_documents: usize,
        /// Also each value's themes over time: shares per year, quarter or month, and which of
        /// its themes rise or fall.
        #[arg(long, value_name = "PERIOD")]
        over: Option<Period>,
        #[command(flatten)]
        analysis: StoredArgs,
    },
    /// Find the documents of the analysis stored in OUT closest to a question, with the sentence
    /// of each that matches best (embedded with the analysis's own model; nothing is re-analysed).
    Search {
        /// What to look for, in any words (any language with a multilingual model).
        query: String,
        /// Output folder holding the analysis.
        #[arg(long, default_value = "reports")]
        out: PathBuf,
        /// How many documents to show.
        #[arg(long, default_value_t = 10)]
        top: usize,
        /// Only documents of this theme (its id).
        #[arg(long)]
        theme: Option<u32>,
        /// Only documents of this country.
        #[arg(long)]
        country: Option<String>,
        /// Only documents of this year.
        #[arg(long)]
        year: Option<i32>,
        /// Only documents of this type.
        #[arg(long = "type")]
        doc_type: Option<String>,
        /// The analysis's model (`--model` names it when it was given as a path; by default its
        /// name is looked up) and what runs it; the precision must be the analysis's own.
        #[command(flatten)]
        encoder: EncoderArgs,
        /// One JSON object per document instead of text.
        #[arg(long)]
        json: bool,
        /// List hits below the floor too: by default a hit must score above what questions on
        /// unrelated subjects (football, recipes, …) reach in this corpus.
        #[arg(long)]
        all: bool,
    },
    /// Make a static model from a sentence model (model2vec's recipe, no download): every
    /// vocabulary token embedded alone, reduced by PCA, weighted by Zipf/SIF. A document's vector
    /// is then a weighted mean of token vectors: dozens of times faster, less precise. Use it with
    /// `--model OUT` for previews of very large folders.
    Distill {
        /// The sentence model to distil (default all-MiniLM-L6-v2).
        #[arg(long)]
        model: Option<String>,
        /// Folder to create for the static model (e.g. models/minilm-static).
        #[arg(long)]
        out: PathBuf,
        /// Dimensions kept by PCA.
        #[arg(long, default_value_t = 256)]
        dims: usize,
        /// Fit the token vectors to the pages of the analysis in this output folder (made with
        /// the same model): a page's mean token vector is moved towards the sentence model's
        /// vector of it (model2vec's tokenlearn idea).
        #[arg(long, value_name = "OUT")]
        fit: Option<PathBuf>,
        /// With --fit: how many of its pages at most, spread over all (the fit's time grows with
        /// the cube of this; 7,614 pages take under a minute on two cores).
        #[arg(long, default_value_t = themescope::embed::model2vec::FIT_PAGES, requires = "fit")]
        fit_pages: usize,
    },
    /// Change the themes of the analysis in OUT by hand: rename, merge, split, move documents,
    /// pin. Each decision is kept in OUT/curation.toml (readable, editable, fit for version
    /// control) and in the store, holds on every later `analyze` as the seeds grow, and can be
    /// taken back with `theme undo`. The analysis is made again at once from the cache.
    #[command(subcommand)]
    Theme(ThemeCommand),
    /// List past runs on an output folder: date, documents, themes, parameters, and the
    /// `theme` commands that made runs.
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
        /// Follow symbolic links that lead outside DIR.
        #[arg(long)]
        follow_links: bool,
        /// CSV table of metadata for files that lack it (see `analyze --help`).
        #[arg(long, value_name = "FILE.csv")]
        metadata: Option<PathBuf>,
    },
    /// Embed JSON lines {"id": …, "text": …} and print {"id": …, "embedding": […]} lines.
    ///
    /// By default the vectors are exactly sentence-transformers' (text cut at the model's
    /// window); --whole-document covers the whole text in windows, pooled.
    Embed {
        #[command(flatten)]
        encoder: EncoderArgs,
        /// JSON-lines file to read, or - for standard input.
        #[arg(long, default_value = "-")]
        input: String,
        /// Cover the whole text (token-weighted mean of window vectors) instead of the first window.
        #[arg(long)]
        whole_document: bool,
    },
}

/// The analyst's decisions on the themes (see `themescope theme --help`).
#[derive(Subcommand)]
enum ThemeCommand {
    /// Give a theme a label of your own; it wins over the extracted one on every later run.
    Rename {
        /// The theme's id (themes.json, the report).
        id: u32,
        /// The label (not needed with --clear).
        #[arg(required_unless_present = "clear")]
        label: Option<String>,
        /// Take back the label you gave: the theme is labelled from its keywords again.
        #[arg(long, conflicts_with = "label")]
        clear: bool,
        #[command(flatten)]
        out: OutArg,
    },
    /// Make one theme of several: it keeps the id of the largest; the others are retired and
    /// their ids never used again.
    Merge {
        /// The themes' ids (two or more).
        #[arg(num_args = 2.., required = true)]
        ids: Vec<u32>,
        /// A label for the merged theme.
        #[arg(long)]
        label: Option<String>,
        #[command(flatten)]
        out: OutArg,
    },
    /// Cluster a theme's documents alone (as `analyze` clusters) into new themes with new ids;
    /// new pages are placed in its parts from then on.
    Split {
        id: u32,
        /// How many themes to make [default: 2 to 5, the number whose parts are best separated
        /// (mean silhouette)].
        #[arg(long)]
        into: Option<usize>,
        #[command(flatten)]
        out: OutArg,
    },
    /// Put documents in a theme by hand; they stay there on every later run.
    Move {
        /// The documents: their doc_id (documents.csv) or their path in DIR.
        #[arg(required = true)]
        documents: Vec<String>,
        /// The theme's id.
        #[arg(long)]
        to: u32,
        #[command(flatten)]
        out: OutArg,
    },
    /// Keep a theme's members and label through refreshes: new pages may join it, none leave.
    Pin {
        id: u32,
        /// Unpin it.
        #[arg(long)]
        clear: bool,
        #[command(flatten)]
        out: OutArg,
    },
    /// Take back the last change to the decisions (repeat to go further back).
    Undo {
        #[command(flatten)]
        out: OutArg,
    },
}

/// The output folder of a stored analysis.
#[derive(Args)]
struct OutArg {
    /// Output folder holding the analysis.
    #[arg(long, default_value = "reports")]
    out: PathBuf,
}

impl ThemeCommand {
    fn edit(self) -> (pipeline::Edit, PathBuf) {
        use pipeline::Edit;
        match self {
            ThemeCommand::Rename { id, label, clear, out } => {
                (Edit::Rename { theme: ThemeId(id), label: label.filter(|_| !clear) }, out.out)
            }
            ThemeCommand::Merge { ids, label, out } => {
                (Edit::Merge { themes: ids.into_iter().map(ThemeId).collect(), label }, out.out)
            }
            ThemeCommand::Split { id, into, out } => (Edit::Split { theme: ThemeId(id), into }, out.out),
            ThemeCommand::Move { documents, to, out } => (Edit::Move { documents, to: ThemeId(to) }, out.out),
            ThemeCommand::Pin { id, clear, out } => (Edit::Pin { theme: ThemeId(id), clear }, out.out),
            ThemeCommand::Undo { out } => (Edit::Undo, out.out),
        }
    }
}

/// The output folder and every analysis setting (see `themescope::settings`): what `analyze`
/// takes.
#[derive(Args)]
struct AnalysisArgs {
    /// Output folder (also holds the store, themescope.sqlite).
    #[arg(long, default_value = "reports")]
    out: PathBuf,
    #[command(flatten)]
    deciding: DecidingArgs,
    #[command(flatten)]
    running: RunningArgs,
}

impl AnalysisArgs {
    fn options(&self) -> AnalyzeOptions {
        let settings = Settings::resolve(&self.deciding, &self.running, &Settings::default());
        AnalyzeOptions { progress: true, ..AnalyzeOptions::with(settings, &self.out) }
    }
}

/// What `compare` and `evaluate` take: the output folder of a stored analysis, and the settings
/// that decide an analysis, only to check that the stored one was made with them (or to make
/// one with them when OUT holds none).
#[derive(Args)]
struct StoredArgs {
    /// Output folder holding the analysis.
    #[arg(long, default_value = "reports")]
    out: PathBuf,
    #[command(flatten, next_help_heading = "Settings the stored analysis must have been made with")]
    deciding: DecidingArgs,
}

/// The model and what runs it, for the commands that embed outside an analysis (`embed`,
/// `search`); `analyze --help` says more of each.
#[derive(Args)]
struct EncoderArgs {
    /// Model folder or name [default: all-MiniLM-L6-v2].
    #[arg(long)]
    model: Option<String>,
    /// What runs the model: native or rust-bert [default: native].
    #[arg(long, env = "THEMESCOPE_BACKEND")]
    backend: Option<Backend>,
    /// Arithmetic of the model's products: fp32 or int8 [default: fp32].
    #[arg(long)]
    precision: Option<Precision>,
}

/// The library's refusal of options that differ from the stored analysis, in flags.
fn explain_mismatch(out: &str, mismatches: &[Mismatch]) -> anyhow::Error {
    let made: Vec<String> = mismatches.iter().map(|m| m.as_flag(&m.stored)).collect();
    let asked: Vec<String> = mismatches.iter().map(|m| m.as_flag(&m.given)).collect();
    anyhow::anyhow!(
        "{out}: the stored analysis was made with {}, but this command asks for {}. It uses the stored analysis \
         as it is: leave those options out, or run `themescope analyze` with them first.",
        made.join(", "),
        asked.join(", ")
    )
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
    let verbose = cli.verbose;
    match cli.command {
        Command::Analyze { analysis: args } => {
            let options = args.options();
            run_analysis(&options, verbose)?;
            println!("report written to {}", options.out.display());
            Ok(())
        }
        Command::Evaluate { analysis: args, against } => {
            let analysis = stored_or_new(&args, verbose)?;
            let evaluation = pipeline::evaluate(&analysis, against.as_deref());
            println!("{}", serde_json::to_string_pretty(&evaluation)?);
            Ok(())
        }
        Command::Compare { analysis: args, by, values, top, min_documents, over } => {
            let analysis = stored_or_new(&args, verbose)?;
            let selection = compare::choose_values(&analysis.corpus.documents, &by, values, top, min_documents)
                .map_err(anyhow::Error::msg)?;
            for note in &selection.notes {
                eprintln!("note: {note}");
            }
            let terms = compare::LanguageTerms::new(&analysis);
            let comparison = compare::compare(&analysis, &terms, by, &selection, over);
            let page = pipeline::write_comparison(&args.out, &analysis, &comparison)?;
            println!("comparison written to {}", page.display());
            Ok(())
        }
        Command::Search { query, out, top, theme, country, year, doc_type, encoder, json, all } => {
            let analysis = pipeline::open(&out)?;
            let given = DecidingArgs { precision: encoder.precision, ..DecidingArgs::default() };
            if let Err(AnalyzeError::OptionsDiffer { out, mismatches }) =
                pipeline::check_against(&given, &analysis.run, &out)
            {
                return Err(explain_mismatch(&out, &mismatches));
            }
            let embedder =
                pipeline::embedder_of(&analysis, encoder.model.as_deref(), encoder.backend.unwrap_or_default())?;
            let central = pipeline::central_sentences(&out, &analysis)?;
            let question =
                embedder.embed_texts(&[query.as_str()], Coverage::FirstWindow, &indicatif::ProgressBar::hidden())?;
            let floor = if all {
                None
            } else {
                let questions: Vec<&str> = search::off_topic().into_iter().map(|(_, q)| q).collect();
                let off_topic =
                    embedder.embed_texts(&questions, Coverage::FirstWindow, &indicatif::ProgressBar::hidden())?;
                search::floor(analysis.vectors.view(), off_topic.view())
            };
            let query = search::Query { top, floor, theme: theme.map(ThemeId), country, year, doc_type };
            let found = search::search(&analysis, &central, question.row(0), &query);
            output::hits(&found, floor, json)
        }
        Command::Distill { model, out, dims, fit, fit_pages } => {
            let source = Embedder::load(model.as_deref(), Backend::Native, Precision::Fp32)?;
            let bar = themescope::progress::bar(source.vocab_size() as u64, "tokens");
            let made = match &fit {
                Some(analysis) => pipeline::distill_fitted(analysis, &source, &out, dims, fit_pages, &bar)?,
                None => themescope::embed::model2vec::distill(&source, &out, dims, None, &bar)?,
            };
            output::distilled(&made, source.name(), &out);
            Ok(())
        }
        Command::History { out } => {
            let path = out.join(pipeline::STORE_FILE);
            anyhow::ensure!(path.is_file(), "{}: no themescope runs here (no {})", out.display(), pipeline::STORE_FILE);
            output::history(&themescope::store::Store::open(&path)?)
        }
        Command::Theme(command) => {
            let (edit, out) = command.edit();
            let (analysis, done) = pipeline::curate(&out, &edit, true)?;
            output::tell(&analysis, verbose);
            println!("{done}; report written to {}", out.display());
            Ok(())
        }
        Command::Ingest { dir, format, follow_links, metadata } => {
            let metadata = metadata.as_deref().map(ingest::MetadataTable::load).transpose()?;
            let corpus =
                ingest::ingest_dir(&dir, &IngestOptions { follow_links, metadata, ..IngestOptions::default() })?;
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
        Command::Embed { encoder, input, whole_document } => {
            let coverage = if whole_document { Coverage::Whole(Budget::All) } else { Coverage::FirstWindow };
            embed_jsonl(&encoder, &input, coverage)
        }
    }
}

/// The analysis stored in OUT, checked against the options given; when OUT holds none, a new
/// one is made (and the user told so).
fn stored_or_new(args: &StoredArgs, verbose: bool) -> anyhow::Result<Analysis> {
    match pipeline::open(&args.out) {
        Ok(analysis) => match pipeline::check_against(&args.deciding, &analysis.run, &args.out) {
            Ok(()) => Ok(analysis),
            Err(AnalyzeError::OptionsDiffer { out, mismatches }) => Err(explain_mismatch(&out, &mismatches)),
            Err(e) => Err(e.into()),
        },
        Err(AnalyzeError::NoAnalysis { out, why }) => {
            eprintln!("note: {out}: {why}; running `themescope analyze` first");
            let analysis = AnalysisArgs {
                out: args.out.clone(),
                deciding: args.deciding.clone(),
                running: RunningArgs::default(),
            };
            run_analysis(&analysis.options(), verbose)
        }
        Err(e) => Err(e.into()),
    }
}

/// Runs the analysis and reports warnings, notes, counts and (verbose) stage times on
/// standard error.
fn run_analysis(options: &AnalyzeOptions, verbose: bool) -> anyhow::Result<Analysis> {
    let analysis = pipeline::analyze(options)?;
    output::tell(&analysis, verbose);
    Ok(analysis)
}

#[derive(serde::Deserialize)]
struct EmbedInput {
    id: serde_json::Value,
    text: String,
}

fn embed_jsonl(encoder: &EncoderArgs, input: &str, coverage: Coverage) -> anyhow::Result<()> {
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
    let embedder = Embedder::load(
        encoder.model.as_deref(),
        encoder.backend.unwrap_or_default(),
        encoder.precision.unwrap_or_default(),
    )?;
    if let Some(why) = embedder.fallback() {
        eprintln!("note: {why}");
    }
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
