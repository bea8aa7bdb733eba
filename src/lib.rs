//! themescope: turn a growing folder of articles into theme reports.
//!
//! The pipeline, one module per stage: [`ingest`] → [`embed`] → [`themes`] → [`summarise`] →
//! [`generate`] (labels written by a local language model, with `--llm`) → [`compare`] →
//! [`report`], with [`store`] remembering documents, vectors, answers and runs.
//! [`analysis`] holds what one run produces, [`pipeline`] runs the stages and reads a stored
//! analysis back.

pub mod analysis;
pub mod compare;
pub mod curation;
pub mod embed;
pub mod generate;
pub mod ingest;
pub mod pipeline;
pub mod progress;
pub mod report;
pub mod search;
pub mod settings;
pub mod stats;
pub mod store;
pub mod summarise;
pub mod themes;
pub mod trends;

/// Where themescope keeps what it fetches once for the user (models, language models):
/// `$XDG_CACHE_HOME/themescope`, else `~/.cache/themescope`; never the folder the user stands in.
pub fn cache_dir() -> std::path::PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| std::path::PathBuf::from(".cache"));
    base.join("themescope")
}

/// "1 theme", "3 themes": counts in messages.
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
