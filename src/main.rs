//! The `themescope` command line: a thin layer over the library.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};
use themescope::analysis::Analysis;
use themescope::compare::{self, Facet};
use themescope::embed::{Backend, Budget, Coverage, Embedder, Precision};
use themescope::ingest::{self, IngestOptions};
use themescope::pipeline::{self, AnalyzeError, AnalyzeOptions, GivenOptions, Mismatch, Setting};
use themescope::search;
use themescope::themes::{ThemeCount, ThemeId};
use themescope::trends::Period;
use themescope::{plural, progress};

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
        /// Language model that writes each theme's label and description, kept only where the
        /// theme's pages support them: a GGUF file, a known name (fetched once into
        /// ~/.cache/themescope/llm: qwen2.5-coder-0.5b-instruct, qwen2.5-coder-1.5b-instruct),
        /// or none for extracted labels. Needs a build with --features llm [default: none].
        #[arg(long, value_name = "PATH.gguf|NAME|none")]
        llm: Option<String>,
    },
    /// Print the quality of the analysis stored in OUT as JSON: NPMI coherence, topic diversity,
    /// NMI/ARI against a metadata key, NMI against language, places and names among keywords,
    /// labels in the themes' languages, label coverage, names and their margins.
    Evaluate {
        #[command(flatten)]
        analysis: AnalysisArgs,
        /// Metadata key whose first value the themes are compared with (e.g. sdgs).
        #[arg(long)]
        against: Option<String>,
    },
    /// Compare countries, continents, years or types of the analysis stored in OUT: theme shares,
    /// distinctive themes and terms, narrative similarity. Writes OUT/compare-<facet>.html, .md
    /// and .json and links them from the report; nothing is embedded or clustered again.
    Compare {
        #[command(flatten)]
        analysis: AnalysisArgs,
        /// What to compare: country, continent, year, type, language, folder (the sub-folder of
        /// DIR a file sits in), or any [[key:…]] metadata key.
        #[arg(long)]
        by: Facet,
        /// Values to compare (default: the most frequent ones).
        #[arg(long = "value", num_args = 1..)]
        values: Vec<String>,
        /// How many of the most frequent values to compare when none are named [default: 12].
        #[arg(long)]
        top: Option<usize>,
        /// Also each value's themes over time: shares per year, quarter or month, and which of
        /// its themes rise or fall.
        #[arg(long, value_name = "PERIOD")]
        over: Option<Period>,
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

/// Options shared by every command that runs the analysis. Each is optional so that `compare`
/// and `evaluate` can tell an option the user gave (checked against the stored analysis) from a
/// default; `analyze` fills in the defaults shown.
#[derive(Args)]
struct AnalysisArgs {
    /// Folder of seed documents [default: seeds].
    dir: Option<PathBuf>,
    /// Output folder (also holds the store, themescope.sqlite).
    #[arg(long, default_value = "reports")]
    out: PathBuf,
    /// Number of themes: auto (chosen by silhouette and agreement between seeds) or a number
    /// [default: auto].
    #[arg(long)]
    themes: Option<String>,
    /// Random seed: the same input and seed give the same themes [default: 42].
    #[arg(long)]
    seed: Option<u64>,
    /// TOML file of named themes (default: the built-in taxonomy.toml).
    #[arg(long)]
    taxonomy: Option<PathBuf>,
    #[command(flatten)]
    encoder: EncoderArgs,
    /// Embed the first N tokens of each document; 0 embeds whole documents, however long
    /// [default: at most 16 windows of the model's length, spread over the document].
    #[arg(long)]
    max_tokens_per_doc: Option<usize>,
    /// Put new documents into the previous run's themes instead of clustering again (fast path
    /// for small additions).
    #[arg(long)]
    keep_themes: bool,
    /// The model reads every language of the corpus: fit themes on all pages together instead of
    /// on the pages of the main language (automatic when the model folder says it is multilingual,
    /// as multilingual-e5-small does).
    #[arg(long)]
    multilingual: bool,
    /// Analyse only documents of this type ([[type:…]], e.g. blog or solution).
    #[arg(long = "type")]
    only_type: Option<String>,
    /// Follow symbolic links that lead outside DIR (links inside it are always followed).
    #[arg(long)]
    follow_links: bool,
    /// CSV table of metadata for files that lack it: a column naming each file (path in DIR or
    /// file name: path, file or filename), then any of title, country, date, type, language,
    /// source, or other columns. Values a file states itself win.
    #[arg(long, value_name = "FILE.csv")]
    metadata: Option<PathBuf>,
    /// Periods of the themes over time: year, quarter or month (quarters and months need full
    /// dates) [default: year].
    #[arg(long)]
    period: Option<Period>,
}

/// The model and what runs it: the same flags wherever a command embeds.
#[derive(Args)]
struct EncoderArgs {
    /// Model folder or name (default all-MiniLM-L6-v2). Known names are fetched into models/
    /// when missing: all-MiniLM-L6-v2, multilingual-e5-small, use-multilingual-v3 (pages in
    /// many languages on one map).
    #[arg(long)]
    model: Option<String>,
    /// What runs the model: native (built in), or rust-bert (builds with --features rust-bert)
    /// [default: native].
    #[arg(long, env = "THEMESCOPE_BACKEND")]
    backend: Option<Backend>,
    /// Arithmetic of the model's matrix products: fp32 (exactly sentence-transformers'
    /// vectors) or int8 (faster on CPUs with AVX2, AVX-VNNI or AVX-512 VNNI; cosine ≥ 0.99 to fp32)
    /// [default: fp32].
    #[arg(long)]
    precision: Option<Precision>,
}

impl AnalysisArgs {
    fn given(&self) -> anyhow::Result<GivenOptions> {
        let themes = match self.themes.as_deref() {
            None => None,
            Some("auto") => Some(ThemeCount::Auto),
            Some(n) => Some(ThemeCount::Fixed(
                n.parse().ok().filter(|&n: &usize| n > 0).context("--themes takes auto or a positive number")?,
            )),
        };
        Ok(GivenOptions {
            input: self.dir.clone(),
            themes,
            seed: self.seed,
            model: self.encoder.model.clone(),
            precision: self.encoder.precision,
            max_tokens_per_doc: self.max_tokens_per_doc,
            taxonomy: self.taxonomy.clone(),
            only_type: self.only_type.clone(),
            metadata: self.metadata.clone(),
            period: self.period,
            multilingual: self.multilingual,
        })
    }

    fn options(&self) -> anyhow::Result<AnalyzeOptions> {
        Ok(AnalyzeOptions {
            keep_themes: self.keep_themes,
            follow_links: self.follow_links,
            progress: true,
            ..self.given()?.resolve(&self.out, self.encoder.backend.unwrap_or_default())
        })
    }
}

/// The flag that sets each analysis setting, for messages.
fn flag(setting: Setting) -> &'static str {
    match setting {
        Setting::Input => "DIR",
        Setting::Themes => "--themes",
        Setting::Seed => "--seed",
        Setting::Model => "--model",
        Setting::Precision => "--precision",
        Setting::MaxTokensPerDoc => "--max-tokens-per-doc",
        Setting::Taxonomy => "--taxonomy",
        Setting::OnlyType => "--type",
        Setting::Metadata => "--metadata",
        Setting::Period => "--period",
        Setting::Multilingual => "--multilingual",
    }
}

/// The library's refusal of options that differ from the stored analysis, in flags.
fn explain_mismatch(out: &str, mismatches: &[Mismatch]) -> anyhow::Error {
    let shown = |m: &Mismatch, value: &str| match m.setting {
        Setting::Multilingual if value == "no" => "no --multilingual".to_string(),
        Setting::Multilingual => "--multilingual".to_string(),
        s => format!("{} {value}", flag(s)),
    };
    let made: Vec<String> = mismatches.iter().map(|m| shown(m, &m.stored)).collect();
    let asked: Vec<String> = mismatches.iter().map(|m| shown(m, &m.given)).collect();
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
        Command::Analyze { analysis: args, llm } => {
            let llm = llm.as_deref().map(str::parse).transpose()?.unwrap_or_default();
            let options = AnalyzeOptions { llm, ..args.options()? };
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
        Command::Compare { analysis: args, by, values, top, over } => {
            let analysis = stored_or_new(&args, verbose)?;
            let (values, notes) =
                compare::choose_values(&analysis.corpus.documents, &by, values, top).map_err(anyhow::Error::msg)?;
            for note in notes {
                eprintln!("note: {note}");
            }
            let comparison = compare::compare(&analysis, &compare::LanguageTerms::new(&analysis), by, &values, over);
            let page = pipeline::write_comparison(&args.out, &analysis, &comparison)?;
            println!("comparison written to {}", page.display());
            Ok(())
        }
        Command::Search { query, out, top, theme, country, year, doc_type, encoder, json } => {
            let analysis = pipeline::open(&out)?;
            let given = GivenOptions { precision: encoder.precision, ..GivenOptions::default() };
            if let Err(AnalyzeError::OptionsDiffer { out, mismatches }) = given.check_against(&analysis.run, &out) {
                return Err(explain_mismatch(&out, &mismatches));
            }
            let embedder =
                pipeline::embedder_of(&analysis, encoder.model.as_deref(), encoder.backend.unwrap_or_default())?;
            let central = pipeline::central_sentences(&out, &analysis)?;
            let question =
                embedder.embed_texts(&[query.as_str()], Coverage::FirstWindow, &indicatif::ProgressBar::hidden())?;
            let query = search::Query { top, theme: theme.map(ThemeId), country, year, doc_type };
            let hits = search::search(&analysis, &central, question.row(0), &query);
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            if hits.is_empty() {
                eprintln!("no document passes the filters");
            }
            for hit in &hits {
                if json {
                    writeln!(out, "{}", serde_json::to_string(hit)?)?;
                    continue;
                }
                let place: Vec<&str> = hit.country.iter().chain(&hit.date).map(String::as_str).collect();
                writeln!(out, "{:>2}. {:.3}  {}  [{}]", hit.rank, hit.score, hit.title, place.join(", "))?;
                writeln!(
                    out,
                    "    theme {}: {}  ·  {}",
                    hit.theme_id,
                    hit.theme_label,
                    hit.source.as_deref().unwrap_or(&hit.path)
                )?;
                if let Some(sentence) = &hit.sentence {
                    writeln!(out, "    “{sentence}”")?;
                }
            }
            out.flush()?;
            Ok(())
        }
        Command::Distill { model, out, dims, fit, fit_pages } => {
            let source = Embedder::load(model.as_deref(), Backend::Native, Precision::Fp32)?;
            let bar = themescope::progress::bar(source.vocab_size() as u64, "tokens");
            let made = match &fit {
                Some(analysis) => pipeline::distill_fitted(analysis, &source, &out, dims, fit_pages, &bar)?,
                None => themescope::embed::model2vec::distill(&source, &out, dims, None, &bar)?,
            };
            if let Some(f) = &made.fit {
                println!(
                    "fitted to {} pages: on {} held out, mean cosine to {}'s vectors {:.3} → {:.3} (ridge {})",
                    f.pages,
                    f.held_out,
                    source.name(),
                    f.cosine_before,
                    f.cosine_after,
                    f.ridge
                );
            }
            println!(
                "{}: static model of {} tokens × {} dimensions from {} (PCA keeps {:.1}% of the variance); use it with --model {}",
                out.display(),
                made.tokens,
                made.dim,
                source.name(),
                100.0 * made.variance_kept,
                out.display()
            );
            Ok(())
        }
        Command::History { out } => {
            let path = out.join(pipeline::STORE_FILE);
            anyhow::ensure!(path.is_file(), "{}: no themescope runs here (no {})", out.display(), pipeline::STORE_FILE);
            let store = themescope::store::Store::open(&path)?;
            for run in store.runs()? {
                let finished = &run.finished;
                let undone = if run.undone { "  (undone)" } else { "" };
                let Some(s) = run.summary else {
                    println!("{finished}  (recorded by an older themescope){undone}");
                    continue;
                };
                if let Some(command) = &s.command {
                    println!("{finished}  `themescope {command}`{undone}");
                }
                let (d, t) = (&s.documents, &s.themes);
                println!(
                    "{finished}  {} documents ({} new, {} changed, {} removed, {} embedded)  {} themes ({} kept, {} new, {} retired)  params {}",
                    d.total, d.new, d.changed, d.removed, d.embedded, t.count, t.kept, t.new, t.retired, serde_json::to_string(&s.params)?
                );
                if !s.curation.is_empty() {
                    println!("    decisions: {}", s.curation.join("; "));
                }
            }
            Ok(())
        }
        Command::Theme(command) => {
            let (edit, out) = command.edit();
            let (analysis, done) = pipeline::curate(&out, &edit, true)?;
            tell(&analysis, verbose);
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
fn stored_or_new(args: &AnalysisArgs, verbose: bool) -> anyhow::Result<Analysis> {
    match pipeline::open(&args.out) {
        Ok(analysis) => match args.given()?.check_against(&analysis.run, &args.out) {
            Ok(()) => Ok(analysis),
            Err(AnalyzeError::OptionsDiffer { out, mismatches }) => Err(explain_mismatch(&out, &mismatches)),
            Err(e) => Err(e.into()),
        },
        Err(AnalyzeError::NoAnalysis { out, why }) => {
            eprintln!("note: {out}: {why}; running `themescope analyze` first");
            run_analysis(&args.options()?, verbose)
        }
        Err(e) => Err(e.into()),
    }
}

/// Runs the analysis and reports warnings, notes, counts and (verbose) stage times on
/// standard error.
fn run_analysis(options: &AnalyzeOptions, verbose: bool) -> anyhow::Result<Analysis> {
    let analysis = pipeline::analyze(options)?;
    tell(&analysis, verbose);
    Ok(analysis)
}

/// Reports a finished run's warnings, notes, counts and (verbose) stage times on standard error.
fn tell(analysis: &Analysis, verbose: bool) {
    for warning in analysis.corpus.warnings() {
        eprintln!("warning: {warning}");
    }
    let run = &analysis.run;
    for note in &run.notes {
        eprintln!("note: {note}");
    }
    let docs = analysis.corpus.documents.len();
    let (changes, continuity) = (&run.changes, &run.continuity);
    let themes = analysis.model.themes.len();
    // Kept/new/retired only mean something against an earlier run.
    let since = if run.previous_run.is_some() {
        format!(" ({} kept, {} new, {} retired)", continuity.kept.len(), continuity.new.len(), continuity.retired.len())
    } else {
        String::new()
    };
    eprintln!(
        "{} ({} embedded, {} from cache; {} new, {} changed, {} removed), {}{since} in {:.1} s",
        plural(docs, "document"),
        run.embedded,
        docs - run.embedded.min(docs),
        changes.new.len(),
        changes.changed.len(),
        changes.removed.len(),
        plural(themes, "theme"),
        run.seconds
    );
    if let Some(g) = &run.generation {
        let speed = match g.tokens_per_second {
            Some(rate) => format!("{} answers generated in {:.1} s, {rate:.0} tokens/s", g.asked, g.seconds),
            None => "nothing generated".to_string(),
        };
        let areas = match g.areas {
            0 => String::new(),
            n => format!(", {} of {}", g.areas_generated, plural(n, "broad area")),
        };
        eprintln!(
            "labels by {}: {} of {} themes ({} kept from the previous run), {} extracted{areas}; {}, {} from the \
             store",
            g.model, g.generated, g.themes, g.kept, g.fell_back, speed, g.cached
        );
    }
    if verbose {
        match run.tokens_per_second {
            Some(rate) => eprintln!("  vectors computed by {} ({}), {rate:.0} tokens/s", run.kernel, run.model),
            None => eprintln!("  vectors computed by {} ({}); all from the cache", run.kernel, run.model),
        }
        for (stage, seconds) in &run.seconds_by_stage {
            match run.peak_mb_by_stage.iter().find(|(s, _)| s == stage) {
                Some((_, mb)) => eprintln!("  {stage:<16} {seconds:>8.2} s  peak {mb:>6.0} MB"),
                None => eprintln!("  {stage:<16} {seconds:>8.2} s"),
            }
        }
    }
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
