//! What an analysis is asked to do: the options of a run, and the options a later command was
//! given, checked against the analysis it builds on.

use std::path::{Path, PathBuf};

use super::AnalyzeError;
use crate::analysis::{self, RunInfo, RunParams};
use crate::embed::{Backend, Budget, Coverage, Precision};
use crate::generate::LlmChoice;
use crate::summarise::SummaryOptions;
use crate::themes::{ThemeCount, ThemeOptions};
use crate::trends::{Period, TrendOptions};

/// What `analyze` needs to know.
#[derive(Debug, Clone)]
pub struct AnalyzeOptions {
    pub input: PathBuf,
    pub out: PathBuf,
    pub model: Option<String>,
    /// What runs the model (the vectors are the same; the speed and dependencies differ).
    pub backend: Backend,
    /// Arithmetic of the model's products (int8 falls back to fp32 where the CPU lacks VNNI).
    pub precision: Precision,
    pub themes: ThemeOptions,
    pub taxonomy: Option<PathBuf>,
    /// Content tokens embedded per document: `None` for the default budget (at most
    /// [`crate::embed::DEFAULT_WINDOWS`] windows spread over the document), `Some(0)` for the
    /// whole document, `Some(n)` for its first n tokens.
    pub max_tokens_per_doc: Option<usize>,
    /// Assign documents to the previous run's themes instead of clustering again.
    pub keep_themes: bool,
    /// Analyse only documents whose `[[type:…]]` is this.
    pub only_type: Option<String>,
    /// Follow symbolic links that lead outside the input folder.
    pub follow_links: bool,
    /// A CSV table of metadata for files that lack it (`--metadata`).
    pub metadata: Option<PathBuf>,
    /// Write extractive summaries (sentence vectors come from the documents' own pass).
    pub summaries: bool,
    pub summary: SummaryOptions,
    /// How themes over time are measured.
    pub trends: TrendOptions,
    /// Show progress bars (they are drawn only on a terminal in any case).
    pub progress: bool,
    /// The language model that writes labels and descriptions (`--llm`; off by default).
    pub llm: LlmChoice,
}

impl AnalyzeOptions {
    /// The defaults of `themescope analyze DIR --out OUT` (no progress bars).
    pub fn new(input: impl Into<PathBuf>, out: impl Into<PathBuf>) -> Self {
        AnalyzeOptions {
            input: input.into(),
            out: out.into(),
            model: None,
            backend: Backend::default(),
            precision: Precision::default(),
            themes: ThemeOptions::default(),
            taxonomy: None,
            max_tokens_per_doc: None,
            keep_themes: false,
            only_type: None,
            follow_links: false,
            metadata: None,
            summaries: true,
            summary: SummaryOptions::default(),
            trends: TrendOptions::default(),
            progress: false,
            llm: LlmChoice::Off,
        }
    }

    /// The options as recorded with the analysis (before the run adds what it found).
    pub(super) fn params(&self) -> RunParams {
        RunParams {
            input: self.input.display().to_string(),
            model: self.model.clone(),
            themes: analysis::theme_count_value(self.themes.count),
            seed: self.themes.seed,
            backend: self.backend.name().to_string(),
            precision: self.precision.name().to_string(),
            multilingual: self.themes.multilingual,
            max_tokens_per_doc: self.max_tokens_per_doc,
            taxonomy: self.taxonomy.as_ref().map(|p| p.display().to_string()),
            only_type: self.only_type.clone(),
            metadata: self.metadata.as_ref().map(|p| p.display().to_string()),
            keep_themes: self.keep_themes,
            k_tried: Vec::new(),
            stability: None,
            trends: self.trends,
            llm: self.llm.name(),
        }
    }
}

impl AnalyzeOptions {
    /// Refuses parameters no stage can work with, before anything is read or written.
    pub fn check(&self) -> Result<(), AnalyzeError> {
        self.summary.check()?;
        self.llm.check()?;
        Ok(())
    }

    /// How much of each document is embedded.
    pub fn coverage(&self) -> Coverage {
        Coverage::Whole(match self.max_tokens_per_doc {
            None => Budget::Windows(crate::embed::DEFAULT_WINDOWS),
            Some(0) => Budget::All,
            Some(n) => Budget::FirstTokens(n),
        })
    }
}

impl AnalyzeOptions {
    /// The options the analysis stored in `out` was made with (`run`), to make it again: what a
    /// `themescope theme …` command runs once it has changed a decision.
    pub fn of_stored(run: &RunInfo, out: &Path) -> Result<AnalyzeOptions, AnalyzeError> {
        let p = &run.params;
        let themes = match &p.themes {
            serde_json::Value::Number(n) => n.as_u64().map(|n| ThemeCount::Fixed(n as usize)),
            _ => Some(ThemeCount::Auto),
        };
        let precision = p.precision.parse().map_err(|_| AnalyzeError::UnknownPrecision(p.precision.clone()))?;
        let given = GivenOptions {
            input: Some(PathBuf::from(&p.input)),
            themes,
            seed: Some(p.seed),
            // Older analyses did not record the model as given: its name is looked up.
            model: p.model.clone().or_else(|| Some(run.model.clone())),
            precision: Some(precision),
            max_tokens_per_doc: p.max_tokens_per_doc,
            taxonomy: p.taxonomy.as_ref().map(PathBuf::from),
            only_type: p.only_type.clone(),
            metadata: p.metadata.as_ref().map(PathBuf::from),
            period: Some(p.trends.period),
            multilingual: p.multilingual,
        };
        let backend = p.backend.parse().unwrap_or_default();
        // A model no longer there: the labels are extracted, as without one.
        let llm = p.llm.as_deref().and_then(|l| l.parse().ok()).unwrap_or_default();
        Ok(AnalyzeOptions { trends: p.trends, llm, ..given.resolve(out, backend) })
    }
}

/// The analysis options a user gave explicitly (`None`: not given, the default applies). A
/// command that builds on a stored analysis uses that analysis as it is, so it refuses any
/// option given that differs from the stored one rather than silently ignoring it.
#[derive(Debug, Clone, Default)]
pub struct GivenOptions {
    pub input: Option<PathBuf>,
    pub themes: Option<ThemeCount>,
    pub seed: Option<u64>,
    pub model: Option<String>,
    pub precision: Option<Precision>,
    pub max_tokens_per_doc: Option<usize>,
    pub taxonomy: Option<PathBuf>,
    pub only_type: Option<String>,
    pub metadata: Option<PathBuf>,
    pub period: Option<Period>,
    /// Asked for all pages to be clustered together (there is no way to ask for the opposite).
    pub multilingual: bool,
}

/// An analysis setting that a later command can be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    Input,
    Themes,
    Seed,
    Model,
    Precision,
    MaxTokensPerDoc,
    Taxonomy,
    OnlyType,
    Metadata,
    Period,
    Multilingual,
}

impl Setting {
    pub fn name(self) -> &'static str {
        match self {
            Setting::Input => "input folder",
            Setting::Themes => "themes",
            Setting::Seed => "seed",
            Setting::Model => "model",
            Setting::Precision => "precision",
            Setting::MaxTokensPerDoc => "max tokens per document",
            Setting::Taxonomy => "taxonomy",
            Setting::OnlyType => "type",
            Setting::Metadata => "metadata",
            Setting::Period => "period",
            Setting::Multilingual => "multilingual",
        }
    }
}

/// A setting given that differs from the stored analysis's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub setting: Setting,
    pub given: String,
    pub stored: String,
}

impl Mismatch {
    /// "seed 7 (stored: 5), …"
    pub fn list(mismatches: &[Mismatch]) -> String {
        let each: Vec<String> =
            mismatches.iter().map(|m| format!("{} {} (stored: {})", m.setting.name(), m.given, m.stored)).collect();
        each.join(", ")
    }
}

/// How a setting's absence is recorded.
const NONE: &str = "(none)";

impl GivenOptions {
    /// The options of a run: what was given, defaults for the rest.
    pub fn resolve(&self, out: impl Into<PathBuf>, backend: Backend) -> AnalyzeOptions {
        let defaults = ThemeOptions::default();
        AnalyzeOptions {
            model: self.model.clone(),
            backend,
            precision: self.precision.unwrap_or_default(),
            themes: ThemeOptions {
                count: self.themes.unwrap_or(defaults.count),
                seed: self.seed.unwrap_or(defaults.seed),
                multilingual: self.multilingual,
                ..defaults
            },
            taxonomy: self.taxonomy.clone(),
            max_tokens_per_doc: self.max_tokens_per_doc,
            only_type: self.only_type.clone(),
            metadata: self.metadata.clone(),
            trends: TrendOptions { period: self.period.unwrap_or_default(), ..TrendOptions::default() },
            ..AnalyzeOptions::new(self.input.clone().unwrap_or_else(|| PathBuf::from("seeds")), out)
        }
    }

    /// Refuses options given that differ from those the stored analysis (`stored`, in `out`)
    /// was made with.
    pub fn check_against(&self, stored: &RunInfo, out: &Path) -> Result<(), AnalyzeError> {
        let p = &stored.params;
        let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
        let name_of = |m: &str| m.trim_end_matches('/').rsplit('/').next().unwrap_or(m).to_string();
        let mut mismatches = Vec::new();
        if let Some(dir) = self.input.as_ref().filter(|d| canonical(d) != canonical(Path::new(&p.input))) {
            mismatches.push(Mismatch {
                setting: Setting::Input,
                given: dir.display().to_string(),
                stored: p.input.clone(),
            });
        }
        if self.multilingual && !p.multilingual {
            mismatches.push(Mismatch { setting: Setting::Multilingual, given: "yes".into(), stored: "no".into() });
        }
        let mut check = |setting, given: Option<String>, stored: String| {
            if let Some(given) = given.filter(|g| *g != stored) {
                mismatches.push(Mismatch { setting, given, stored });
            }
        };
        let shown = |v: &serde_json::Value| v.as_str().map_or_else(|| v.to_string(), str::to_string);
        check(Setting::Themes, self.themes.map(|t| shown(&analysis::theme_count_value(t))), shown(&p.themes));
        check(Setting::Seed, self.seed.map(|s| s.to_string()), p.seed.to_string());
        check(Setting::Model, self.model.as_deref().map(name_of), stored.model.clone());
        check(Setting::Precision, self.precision.map(|p| p.name().to_string()), p.precision.clone());
        let or_none = |v: Option<String>| v.unwrap_or_else(|| NONE.to_string());
        check(
            Setting::MaxTokensPerDoc,
            self.max_tokens_per_doc.map(|n| n.to_string()),
            or_none(p.max_tokens_per_doc.map(|n| n.to_string())),
        );
        let path = |p: &Option<PathBuf>| p.as_ref().map(|t| t.display().to_string());
        check(Setting::Taxonomy, path(&self.taxonomy), or_none(p.taxonomy.clone()));
        check(Setting::OnlyType, self.only_type.clone(), or_none(p.only_type.clone()));
        check(Setting::Metadata, path(&self.metadata), or_none(p.metadata.clone()));
        check(Setting::Period, self.period.map(|x| x.name().to_string()), p.trends.period.name().to_string());
        if mismatches.is_empty() {
            Ok(())
        } else {
            Err(AnalyzeError::OptionsDiffer { out: out.display().to_string(), mismatches })
        }
    }
}
