use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use themescope::ingest::{self, IngestOptions};

/// Turn a folder of articles into theme reports.
#[derive(Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read and clean every .txt/.md file under DIR and print what was found.
    Ingest {
        /// Folder of seed documents.
        dir: PathBuf,
        /// table: counts by type, language, continent and year; jsonl: one JSON object per document.
        #[arg(long, value_enum, default_value_t = IngestFormat::Table)]
        format: IngestFormat,
    },
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
        Command::Ingest { dir, format } => {
            let corpus = ingest::ingest_dir(&dir, &IngestOptions::default())?;
            for warning in corpus.warnings() {
                eprintln!("warning: {warning}");
            }
            match format {
                IngestFormat::Jsonl => {
                    for doc in &corpus.documents {
                        println!("{}", serde_json::to_string(doc)?);
                    }
                }
                IngestFormat::Table => print!("{}", themescope::ingest::summary_table(&corpus)),
            }
            Ok(())
        }
    }
}
