//! What an analysis is asked to do: its settings (see [`crate::settings`]) and the run's own
//! choices, checked together before anything is read or written.

use std::path::PathBuf;

use super::AnalyzeError;
use crate::analysis::RunInfo;
use crate::embed::{Budget, Coverage};
use crate::settings::{DecidingArgs, Settings};
use crate::summarise::SummaryOptions;
use crate::themes::ThemeOptions;
use crate::trends::TrendOptions;

/// What `analyze` needs to know.
#[derive(Debug, Clone)]
pub struct AnalyzeOptions {
    /// Every setting of the analysis, stored with it.
    pub settings: Settings,
    /// The output folder (also holds the store).
    pub out: PathBuf,
    /// Write extractive summaries (sentence vectors come from the documents' own pass).
    pub summaries: bool,
    pub summary: SummaryOptions,
    /// Show progress bars (they are drawn only on a terminal in any case).
    pub progress: bool,
}

impl AnalyzeOptions {
    /// The defaults of `themescope analyze DIR --out OUT` (no progress bars).
    pub fn new(input: impl Into<PathBuf>, out: impl Into<PathBuf>) -> Self {
        AnalyzeOptions::with(Settings::with_input(input), out)
    }

    /// A run with `settings` into `out`, the rest as by default.
    pub fn with(settings: Settings, out: impl Into<PathBuf>) -> Self {
        AnalyzeOptions {
            settings,
            out: out.into(),
            summaries: true,
            summary: SummaryOptions::default(),
            progress: false,
        }
    }

    /// The options the analysis stored in `out` was made with (`run`), to make it again: what a
    /// `themescope theme …` command runs once it has changed a decision.
    pub fn of_stored(run: &RunInfo, out: impl Into<PathBuf>) -> Self {
        AnalyzeOptions::with(run.settings(), out)
    }

    /// Refuses parameters no stage can work with, before anything is read or written.
    pub fn check(&self) -> Result<(), AnalyzeError> {
        self.themes().check()?;
        self.summary.check()?;
        self.coverage().check().map_err(crate::embed::EmbedError::from)?;
        self.settings.llm.check()?;
        self.trends().check()?;
        Ok(())
    }

    /// How themes are discovered.
    pub fn themes(&self) -> ThemeOptions {
        let s = &self.settings;
        ThemeOptions { count: s.themes, seed: s.seed, multilingual: s.multilingual, ..ThemeOptions::default() }
    }

    /// How themes over time are measured.
    pub fn trends(&self) -> TrendOptions {
        self.settings.trends()
    }

    /// How much of each document is embedded.
    pub fn coverage(&self) -> Coverage {
        Coverage::Whole(match self.settings.max_tokens_per_doc {
            None => Budget::Windows(crate::embed::DEFAULT_WINDOWS),
            Some(0) => Budget::All,
            Some(n) => Budget::FirstTokens(n),
        })
    }
}

/// Refuses settings given (`deciding`) that differ from those the stored analysis (`stored`, in
/// `out`) was made with: a command that builds on it uses it as it is.
pub fn check_against(deciding: &DecidingArgs, stored: &RunInfo, out: &std::path::Path) -> Result<(), AnalyzeError> {
    let mismatches = deciding.mismatches(&stored.settings());
    if mismatches.is_empty() {
        Ok(())
    } else {
        Err(AnalyzeError::OptionsDiffer { out: out.display().to_string(), mismatches })
    }
}
