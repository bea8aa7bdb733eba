//! Every analysis setting, declared once: its field, its flag and help (clap reads the doc
//! comment), its default, how it is stored with the analysis, and whether a different value
//! makes the stored analysis another one. From the table below come the command line's
//! flags ([`DecidingArgs`], [`RunningArgs`]), the settings a run is made with ([`Settings`],
//! stored in `run.json`'s `params`), their resolution from what was given, and the refusal of a
//! command that asks a stored analysis for other settings than it was made with.
//!
//! A new setting is one entry here, and the code of the stage that reads it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::embed::{Backend, Precision};
use crate::generate::LlmChoice;
use crate::themes::ThemeCount;
use crate::trends::{Period, TrendOptions};

/// How a value is shown in messages and compared with a stored one.
pub trait Shown {
    fn shown(&self) -> String;
}

macro_rules! shown_by_display {
    ($($t:ty),*) => {$(impl Shown for $t { fn shown(&self) -> String { self.to_string() } })*};
}
shown_by_display!(String, u64, usize);

macro_rules! shown_by_name {
    ($($t:ty),*) => {$(impl Shown for $t { fn shown(&self) -> String { self.name().to_string() } })*};
}
shown_by_name!(Backend, Precision, Period, ThemeCount);

impl Shown for PathBuf {
    fn shown(&self) -> String {
        self.display().to_string()
    }
}

impl Shown for bool {
    fn shown(&self) -> String {
        if *self { "yes" } else { "no" }.to_string()
    }
}

impl Shown for LlmChoice {
    fn shown(&self) -> String {
        self.name().unwrap_or_else(|| "none".into())
    }
}

/// How a setting's absence is shown.
const NONE: &str = "(none)";

impl<T: Shown> Shown for Option<T> {
    fn shown(&self) -> String {
        self.as_ref().map_or_else(|| NONE.to_string(), Shown::shown)
    }
}

/// A setting given that differs from the stored analysis's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The setting's name in words ("max tokens per document").
    pub setting: &'static str,
    /// Its flag ("--max-tokens-per-doc"; "DIR" for the input folder).
    pub flag: &'static str,
    /// A switch is shown as its flag or its absence, not as a value.
    pub switch: bool,
    pub given: String,
    pub stored: String,
}

impl Mismatch {
    /// "seed 7 (stored: 5), …"
    pub fn list(mismatches: &[Mismatch]) -> String {
        let each: Vec<String> =
            mismatches.iter().map(|m| format!("{} {} (stored: {})", m.setting, m.given, m.stored)).collect();
        each.join(", ")
    }

    /// The setting with `value` as a command line says it: "--seed 5", "--multilingual", "no
    /// --multilingual".
    pub fn as_flag(&self, value: &str) -> String {
        match (self.switch, value) {
            (true, "no") => format!("no {}", self.flag),
            (true, _) => self.flag.to_string(),
            (false, _) => format!("{} {value}", self.flag),
        }
    }
}

/// Per kind of setting: the type a run holds, the default, how
/// a given value and the base resolve, and whether a given value differs from a stored one.
macro_rules! kind {
    (held value $t:ty) => { $t };
    (held maybe $t:ty) => { Option<$t> };
    (held switch $t:ty) => { bool };
    (default value $d:expr) => { $d };
    (default maybe) => { None };
    (default switch) => { false };
    (resolve value $given:expr, $base:expr) => { $given.clone().unwrap_or_else(|| $base.clone()) };
    (resolve maybe $given:expr, $base:expr) => { $given.clone().or_else(|| $base.clone()) };
    (resolve switch $given:expr, $base:expr) => { $given || $base };
    (given_value value $given:expr) => { $given.as_ref().map(Shown::shown) };
    (given_value maybe $given:expr) => { $given.as_ref().map(Shown::shown) };
    (given_value switch $given:expr) => { $given.then(|| true.shown()) };
    (is_switch switch) => { true };
    (is_switch $other:ident) => { false };
}

/// A struct of settings as a command line gives them, one field per setting. Each field's type is
/// written out here (`Option<T>`, or `bool` for a switch) rather than made by [`kind!`]: clap's
/// derive reads the types as written, before any macro in them is expanded.
macro_rules! given_args {
    ($(#[doc = $doc:literal])* $name:ident [$($fields:tt)*]) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Default, clap::Args)]
        pub struct $name { $($fields)* }
    };
    ($(#[doc = $doc:literal])* $name:ident [$($fields:tt)*]
        [$(#[doc = $fdoc:literal])*] [$($arg:tt)*] switch $field:ident $ty:ty; $($rest:tt)*) => {
        given_args! {
            $(#[doc = $doc])* $name [$($fields)* $(#[doc = $fdoc])* #[arg($($arg)*)] pub $field: bool,] $($rest)*
        }
    };
    ($(#[doc = $doc:literal])* $name:ident [$($fields:tt)*]
        [$(#[doc = $fdoc:literal])*] [$($arg:tt)*] $kind:ident $field:ident $ty:ty; $($rest:tt)*) => {
        given_args! {
            $(#[doc = $doc])* $name [$($fields)* $(#[doc = $fdoc])* #[arg($($arg)*)] pub $field: Option<$ty>,] $($rest)*
        }
    };
}

macro_rules! settings {
    (
        decides {$(
            $(#[doc = $ddoc:literal])*
            $dname:ident: $dkind:ident $dty:ty $(= $ddefault:expr)?;
                $dwords:literal, $dflag:literal, arg($($darg:tt)*), compared by $dnorm:expr;
        )*}
        runs {$(
            $(#[doc = $rdoc:literal])*
            $rname:ident: $rkind:ident $rty:ty $(= $rdefault:expr)?;
                $rwords:literal, $rflag:literal, arg($($rarg:tt)*);
        )*}
    ) => {
        given_args! {
            /// The settings that decide what an analysis is, as a command gives them (`None` or
            /// `false`: not given). A command that builds on a stored analysis is refused when one
            /// of them differs from the stored one.
            DecidingArgs [] $([$(#[doc = $ddoc])*] [$($darg)*] $dkind $dname $dty;)*
        }

        given_args! {
            /// The settings that change how an analysis runs, not what it finds, as a command
            /// gives them.
            RunningArgs [] $([$(#[doc = $rdoc])*] [$($rarg)*] $rkind $rname $rty;)*
        }

        /// The settings of an analysis, every one resolved: what a run is made with and what is
        /// stored with it (`run.json`'s `params`). Older analyses lack some: those read as the
        /// defaults.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(default)]
        pub struct Settings {
            $(pub $dname: kind!(held $dkind $dty),)*
            $(pub $rname: kind!(held $rkind $rty),)*
        }

        impl Default for Settings {
            fn default() -> Self {
                Settings {
                    $($dname: kind!(default $dkind $($ddefault)?),)*
                    $($rname: kind!(default $rkind $($rdefault)?),)*
                }
            }
        }

        impl Settings {
            /// Each setting's flag and value as shown, in the table's order.
            pub fn each(&self) -> Vec<(&'static str, String)> {
                vec![$(($dflag, self.$dname.shown()),)* $(($rflag, self.$rname.shown()),)*]
            }

            /// The settings given, and `base`'s for the rest.
            pub fn resolve(deciding: &DecidingArgs, running: &RunningArgs, base: &Settings) -> Settings {
                Settings {
                    $($dname: kind!(resolve $dkind deciding.$dname, base.$dname),)*
                    $($rname: kind!(resolve $rkind running.$rname, base.$rname),)*
                }
            }
        }

        impl DecidingArgs {
            /// The settings given that differ from `stored`'s.
            pub fn mismatches(&self, stored: &Settings) -> Vec<Mismatch> {
                let mut out = Vec::new();
                $(
                    if let Some(given) = kind!(given_value $dkind self.$dname) {
                        let stored = stored.$dname.shown();
                        let compared: fn(&str) -> String = $dnorm;
                        if compared(&given) != compared(&stored) {
                            out.push(Mismatch {
                                setting: $dwords,
                                flag: $dflag,
                                switch: kind!(is_switch $dkind),
                                given,
                                stored,
                            });
                        }
                    }
                )*
                out
            }
        }

        /// Each setting's name in words and its flag, for documentation and messages.
        pub const SETTINGS: &[(&str, &str)] = &[$(($dwords, $dflag),)* $(($rwords, $rflag),)*];
    };
}

/// A value as written.
fn as_is(value: &str) -> String {
    value.to_string()
}

/// A folder by where it really is.
fn canonical(value: &str) -> String {
    let path = Path::new(value);
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf()).display().to_string()
}

/// A model by its name: a folder's last component, or the name itself.
fn model_name(value: &str) -> String {
    value.trim_end_matches('/').rsplit('/').next().unwrap_or(value).to_string()
}

settings! {
    decides {
        /// Folder of seed documents [default: seeds].
        input: value PathBuf = PathBuf::from("seeds");
            "input folder", "DIR", arg(value_name = "DIR"), compared by canonical;
        /// Model folder or name (default all-MiniLM-L6-v2). Known names are fetched once into
        /// ~/.cache/themescope/models ($THEMESCOPE_MODELS): all-MiniLM-L6-v2,
        /// multilingual-e5-small, use-multilingual-v3 (pages in many languages on one map).
        model: maybe String;
            "model", "--model", arg(long), compared by model_name;
        /// Number of themes: auto (chosen by silhouette and agreement between seeds) or a number
        /// [default: auto].
        themes: value ThemeCount = ThemeCount::Auto;
            "themes", "--themes", arg(long, value_name = "auto|N"), compared by as_is;
        /// Random seed: the same input and seed give the same themes [default: 42].
        seed: value u64 = 42;
            "seed", "--seed", arg(long), compared by as_is;
        /// Arithmetic of the model's matrix products: fp32 (exactly sentence-transformers'
        /// vectors) or int8 (faster on CPUs with AVX2, AVX-VNNI or AVX-512 VNNI; cosine ≥ 0.99 to
        /// fp32) [default: fp32].
        precision: value Precision = Precision::Fp32;
            "precision", "--precision", arg(long), compared by as_is;
        /// The model reads every language of the corpus: fit themes on all pages together instead
        /// of on the pages of the main language (automatic when the model folder says it is
        /// multilingual, as multilingual-e5-small does).
        multilingual: switch bool;
            "multilingual", "--multilingual", arg(long), compared by as_is;
        /// Embed the first N tokens of each document; 0 embeds whole documents, however long
        /// [default: at most 16 windows of the model's length, spread over the document].
        max_tokens_per_doc: maybe usize;
            "max tokens per document", "--max-tokens-per-doc", arg(long, value_name = "N"), compared by as_is;
        /// TOML file of named themes (default: the built-in taxonomy.toml).
        taxonomy: maybe PathBuf;
            "taxonomy", "--taxonomy", arg(long, value_name = "FILE.toml"), compared by as_is;
        /// Analyse only documents of this type ([[type:…]], e.g. blog or solution).
        only_type: maybe String;
            "type", "--type", arg(long = "type", value_name = "TYPE"), compared by as_is;
        /// CSV table of metadata for files that lack it: a column naming each file (path in DIR
        /// or file name: path, file or filename), then any of title, country, date, type,
        /// language, source, or other columns. Values a file states itself win.
        metadata: maybe PathBuf;
            "metadata", "--metadata", arg(long, value_name = "FILE.csv"), compared by as_is;
        /// Periods of the themes over time: year, quarter or month (quarters and months need full
        /// dates) [default: year].
        period: value Period = Period::Year;
            "period", "--period", arg(long), compared by as_is;
        /// Pages a period needs for its share to be shown and tested in the themes over time;
        /// thinner periods are shown as such [default: 5].
        period_min_pages: value usize = 5;
            "pages per period", "--period-min-pages", arg(long, value_name = "N"), compared by as_is;
    }
    runs {
        /// What runs the model: native (built in), or rust-bert (builds with --features
        /// rust-bert) [default: native].
        backend: value Backend = Backend::Native;
            "backend", "--backend", arg(long, env = "THEMESCOPE_BACKEND");
        /// Put new documents into the previous run's themes instead of clustering again (fast
        /// path for small additions).
        keep_themes: switch bool;
            "keep themes", "--keep-themes", arg(long);
        /// Follow symbolic links that lead outside DIR (links inside it are always followed).
        follow_links: switch bool;
            "follow links", "--follow-links", arg(long);
        /// Language model that writes each theme's label and description, kept only where the
        /// theme's pages support them: a GGUF file, a known name (fetched once into
        /// ~/.cache/themescope/llm: qwen2.5-coder-0.5b-instruct, qwen2.5-coder-1.5b-instruct), or
        /// none for extracted labels. Needs a build with --features llm [default: none].
        llm: value LlmChoice = LlmChoice::Off;
            "language model", "--llm", arg(long, value_name = "PATH.gguf|NAME|none");
    }
}

impl Settings {
    /// How themes over time are measured.
    pub fn trends(&self) -> TrendOptions {
        TrendOptions { period: self.period, min_documents: self.period_min_pages, ..TrendOptions::default() }
    }

    /// The defaults of `themescope analyze DIR`.
    pub fn with_input(input: impl Into<PathBuf>) -> Settings {
        Settings { input: input.into(), ..Settings::default() }
    }

    /// The settings whose values differ from `before`'s: (flag, value, value before).
    pub fn changed_from(&self, before: &Settings) -> Vec<(&'static str, String, String)> {
        self.each()
            .into_iter()
            .zip(before.each())
            .filter(|((_, now), (_, was))| now != was)
            .map(|((flag, now), (_, was))| (flag, now, was))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn given_settings_win_and_the_rest_come_from_the_base() {
        let base = Settings { seed: 5, max_tokens_per_doc: Some(256), ..Settings::default() };
        let deciding = DecidingArgs { seed: Some(7), themes: Some(ThemeCount::Fixed(9)), ..DecidingArgs::default() };
        let running = RunningArgs { keep_themes: true, ..RunningArgs::default() };
        let s = Settings::resolve(&deciding, &running, &base);
        assert_eq!((s.seed, s.themes, s.max_tokens_per_doc, s.keep_themes), (7, ThemeCount::Fixed(9), Some(256), true));
        assert_eq!(s.input, PathBuf::from("seeds"));
    }

    #[test]
    fn only_settings_given_and_different_are_mismatches() {
        let stored = Settings { seed: 5, model: Some("models/all-MiniLM-L6-v2/".into()), ..Settings::default() };
        let same = DecidingArgs { seed: Some(5), model: Some("all-MiniLM-L6-v2".into()), ..DecidingArgs::default() };
        assert!(same.mismatches(&stored).is_empty(), "a model is compared by name");
        let other =
            DecidingArgs { seed: Some(7), multilingual: true, max_tokens_per_doc: Some(0), ..DecidingArgs::default() };
        let m = other.mismatches(&stored);
        assert_eq!(
            Mismatch::list(&m),
            "seed 7 (stored: 5), multilingual yes (stored: no), max tokens per document 0 (stored: (none))"
        );
        assert_eq!(m[0].as_flag(&m[0].stored), "--seed 5");
        assert_eq!(
            (m[1].as_flag(&m[1].given), m[1].as_flag(&m[1].stored)),
            ("--multilingual".into(), "no --multilingual".into())
        );
    }

    #[test]
    fn stored_settings_read_back_and_older_records_take_the_defaults() {
        let s = Settings { themes: ThemeCount::Fixed(12), precision: Precision::Int8, ..Settings::default() };
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(
            (json["themes"].clone(), json["precision"].clone()),
            (serde_json::json!(12), serde_json::json!("int8"))
        );
        assert_eq!(serde_json::from_value::<Settings>(json).unwrap(), s);
        let old: Settings = serde_json::from_str(r#"{"input": "seeds", "themes": "auto", "seed": 3}"#).unwrap();
        assert_eq!(old, Settings { seed: 3, ..Settings::default() });
    }

    #[test]
    fn changes_are_listed_by_flag() {
        let before = Settings::default();
        let now = Settings { seed: 7, keep_themes: true, ..Settings::default() };
        assert_eq!(
            now.changed_from(&before),
            vec![("--seed", "7".into(), "42".into()), ("--keep-themes", "yes".into(), "no".into())]
        );
    }

    #[test]
    fn every_setting_has_a_flag_and_words() {
        assert!(SETTINGS.iter().all(|(words, flag)| !words.is_empty() && (flag.starts_with("--") || *flag == "DIR")));
        assert_eq!(SETTINGS.len(), Settings::default().each().len(), "one row of words per setting");
    }
}
