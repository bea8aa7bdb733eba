//! Theme labels and descriptions written by a local language model (`--llm`), each kept only
//! where its theme supports it; the extracted label stays otherwise.
//!
//! Per theme the model reads its head keywords, subject names, places, representative titles
//! and central sentences ([`prompt`]), and answers three candidate labels and a description.
//! A candidate is used when its words are the theme's ([`check`]), its meaning is nearer this
//! theme's centre than any other's, and no other theme has it; among those the one nearest
//! its theme by margin wins. Answers are stored by model and prompt, so a run that asks the same
//! again costs no generation, and a theme that hardly moved since the previous run keeps its
//! generated label while that label still passes. Broad areas are then named the same way from
//! their themes' labels and descriptions ([`label_areas`]).

pub mod catalog;
pub mod check;
#[cfg(feature = "llm")]
mod llama;
pub mod prompt;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::themes::describe::TermVectors;
use crate::themes::{LabelOrigin, ParentTheme, Theme, ThemeError, ThemeId};
pub use catalog::{known, llm_dir, KnownLlm, KNOWN_LLMS};
use check::{Evidence, Rejection};
pub use prompt::Brief;

/// Errors of label generation.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error(
        "--llm: this themescope was built without language models; build it with `cargo build --release \
         --features llm` (which needs cmake, a C++ compiler and libclang), or give --llm none"
    )]
    NotBuilt,
    #[error("--llm {0}: no such file, and not a model themescope knows ({known})", known = KNOWN_LLMS.iter().map(|k| k.name).collect::<Vec<_>>().join(", "))]
    Unknown(String),
    #[error("fetching language model {model}; download a GGUF instruct model yourself (e.g. Qwen2.5-1.5B-Instruct from its own repository) and give its path to --llm")]
    Fetch { model: &'static str, source: crate::embed::fetch::FetchError },
    #[error("language model {model}: the joined file has {bytes} bytes and sha256 {sha256}, not the {expected_bytes} bytes and hash themescope pins; it was not installed")]
    Damaged { model: &'static str, bytes: u64, expected_bytes: u64, sha256: String },
    #[error("{}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    FetchWheel(#[from] crate::embed::fetch::FetchError),
    #[error("language model {path}: {why}")]
    Model { path: String, why: String },
    #[error("the vectors of generated labels")]
    Vectors(#[from] ThemeError),
    #[error("the store of generated answers")]
    Cache(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl GenerateError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        GenerateError::Io { path: path.to_path_buf(), source }
    }
}

/// Which language model writes labels (`--llm`).
#[derive(Debug, Clone, Default, PartialEq)]
pub enum LlmChoice {
    /// Extracted labels only (`--llm none`, the default).
    #[default]
    Off,
    /// A model themescope obtains by itself.
    Known(&'static KnownLlm),
    /// Any local GGUF file.
    File(PathBuf),
}

impl std::str::FromStr for LlmChoice {
    type Err = GenerateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "none" {
            return Ok(LlmChoice::Off);
        }
        if let Some(model) = known(s) {
            return Ok(LlmChoice::Known(model));
        }
        let path = PathBuf::from(s);
        if path.is_file() {
            Ok(LlmChoice::File(path))
        } else {
            Err(GenerateError::Unknown(s.to_string()))
        }
    }
}

/// Recorded as given (`null` without one).
impl Serialize for LlmChoice {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.name().serialize(serializer)
    }
}

/// A recorded model that is no longer there reads as none: the labels of a later run are then
/// extracted, as without one.
impl<'de> Deserialize<'de> for LlmChoice {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<LlmChoice, D::Error> {
        Ok(Option::<String>::deserialize(deserializer)?.and_then(|l| l.parse().ok()).unwrap_or_default())
    }
}

impl LlmChoice {
    /// As given on the command line, for the record of the run.
    pub fn name(&self) -> Option<String> {
        match self {
            LlmChoice::Off => None,
            LlmChoice::Known(m) => Some(m.name.to_string()),
            LlmChoice::File(p) => Some(p.display().to_string()),
        }
    }

    /// Refuses a model this build cannot run, before anything is read.
    pub fn check(&self) -> Result<(), GenerateError> {
        if *self != LlmChoice::Off && !cfg!(feature = "llm") {
            return Err(GenerateError::NotBuilt);
        }
        Ok(())
    }

    /// The model's file (a known model is fetched the first time) and its identity: the name
    /// and pinned hash of a known model; a file's name, size and the hash of its first MiB.
    pub fn locate(&self) -> Result<Option<(PathBuf, String)>, GenerateError> {
        match self {
            LlmChoice::Off => Ok(None),
            LlmChoice::Known(m) => Ok(Some((m.locate()?, format!("{}@{}", m.name, &m.sha256[..12])))),
            LlmChoice::File(path) => {
                use std::io::Read;
                let file = std::fs::File::open(path).map_err(|e| GenerateError::io(path, e))?;
                let size = file.metadata().map_err(|e| GenerateError::io(path, e))?.len();
                let mut head = Vec::new();
                file.take(1 << 20).read_to_end(&mut head).map_err(|e| GenerateError::io(path, e))?;
                let name = path.file_stem().map_or_else(String::new, |s| s.to_string_lossy().into_owned());
                Ok(Some((path.clone(), format!("{name}@{size}-{:.12x}", Sha256::digest(&head)))))
            }
        }
    }
}

/// One thing to ask the model.
#[derive(Debug, Clone)]
pub struct Request {
    pub prompt: String,
    /// GBNF grammar the answer is held to, if any.
    pub grammar: Option<&'static str>,
}

impl Request {
    /// Key of its answer in the store, for a model of identity `model_id`.
    fn key(&self, model_id: &str) -> String {
        let mut hash = Sha256::new();
        for part in [model_id, prompt::PROMPT_VERSION, prompt::SYSTEM, self.grammar.unwrap_or(""), &self.prompt] {
            hash.update(part.as_bytes());
            hash.update([0]);
        }
        format!("{:x}", hash.finalize())
    }
}

/// What the model wrote for one request, and what it took.
#[derive(Debug, Clone, Default)]
pub struct Written {
    pub text: String,
    /// Prompt tokens the model read (those its cache already held are not counted) …
    pub read_tokens: usize,
    /// … and tokens it generated.
    pub generated_tokens: usize,
}

/// A language model that answers requests, in order; greedy, so the same request gets the same
/// answer.
pub trait Writer {
    fn write(&mut self, requests: &[Request], progress: &indicatif::ProgressBar)
        -> Result<Vec<Written>, GenerateError>;
}

/// Where answers are kept between runs, by [`Request::key`].
pub trait AnswerCache {
    fn get(&self, key: &str) -> Result<Option<String>, GenerateError>;
    fn put(&self, key: &str, answer: &str) -> Result<(), GenerateError>;
}

/// The model of `path`, loaded when first asked (a run whose answers are all stored never
/// loads it).
pub fn writer(path: &Path) -> Result<Box<dyn Writer>, GenerateError> {
    #[cfg(feature = "llm")]
    {
        Ok(Box::new(llama::LlamaWriter::new(path)))
    }
    #[cfg(not(feature = "llm"))]
    {
        let _ = path;
        Err(GenerateError::NotBuilt)
    }
}

/// What the step may change of a theme or a broad area.
struct Named<'a> {
    label: &'a mut String,
    source: &'a mut LabelOrigin,
    description: &'a mut Option<String>,
}

impl<'a> From<&'a mut Theme> for Named<'a> {
    fn from(t: &'a mut Theme) -> Self {
        Named { label: &mut t.label, source: &mut t.label_source, description: &mut t.description }
    }
}

impl<'a> From<&'a mut ParentTheme> for Named<'a> {
    fn from(p: &'a mut ParentTheme) -> Self {
        Named { label: &mut p.label, source: &mut p.label_source, description: &mut p.description }
    }
}

/// One theme (or broad area) as the step sees it.
pub struct ThemeInput<'a> {
    pub brief: Brief,
    pub evidence: Evidence<'a>,
    /// Its label and description of the previous run when the label was generated and the
    /// theme has hardly moved since (see [`crate::themes::continuity::KEEP_LABEL`]): kept while
    /// they still pass.
    pub previous: Option<(String, Option<String>)>,
}

/// What the step did, for `run.json`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Generation {
    /// The model as given (`--llm`) …
    pub model: String,
    /// … and its identity (the key of its stored answers).
    pub model_id: String,
    /// Themes the model was asked about (not an analyst's label, not a catch-all).
    pub themes: usize,
    /// Themes whose label is generated now: kept from the previous run, or new.
    pub generated: usize,
    /// … of which kept from the previous run without asking.
    pub kept: usize,
    /// Themes left with their extracted label, no candidate having passed the checks.
    pub fell_back: usize,
    pub descriptions: usize,
    /// Requests answered from the store, and by the model.
    pub cached: usize,
    pub asked: usize,
    pub read_tokens: usize,
    pub generated_tokens: usize,
    /// Seconds the model spent reading and writing.
    pub seconds: f64,
    /// Generated tokens per second of those seconds (absent when the model was not asked).
    pub tokens_per_second: Option<f64>,
    /// Why each candidate was refused, counted (for tuning; "unsupported", "place", …).
    pub rejections: std::collections::BTreeMap<String, usize>,
    /// Broad areas the model was asked about, and those whose label is generated now; the
    /// counts and costs above include theirs.
    #[serde(default)]
    pub areas: usize,
    #[serde(default)]
    pub areas_generated: usize,
}

impl Generation {
    /// Sets [`Generation::tokens_per_second`] from the tokens and seconds counted so far.
    fn count_rate(&mut self) {
        self.tokens_per_second = (self.seconds > 0.0).then(|| self.generated_tokens as f64 / self.seconds);
    }
}

/// What the step needs beside the themes.
pub struct Context<'a> {
    /// Unit centre of each theme, in the order of the themes, in the label vectors' space.
    pub centres: ArrayView2<'a, f32>,
    pub vectors: &'a dyn TermVectors,
    pub cache: &'a dyn AnswerCache,
    pub stop: &'a crate::themes::label::StopWords,
    pub is_place: &'a dyn Fn(&str) -> bool,
    /// Whether the corpus mostly writes a word in lower case: a label's capitalised word is
    /// written so (labels are in sentence case, as the extracted ones are).
    pub writes_lower: &'a dyn Fn(&str) -> bool,
    pub progress: bool,
}

/// Labels and describes `themes` (`inputs[i]` is theme i's, `None` for a theme not to ask
/// about) with `writer`, model `model` (its name and identity).
pub fn label_themes(
    themes: &mut [Theme],
    inputs: &[Option<ThemeInput>],
    writer: &mut dyn Writer,
    model: (&str, &str),
    context: &Context,
) -> Result<Generation, GenerateError> {
    label_named(themes.iter_mut().map(Named::from).collect(), HashSet::new(), inputs, writer, model, context)
}

/// Labels and describes the broad areas `areas` from what `inputs` give of their themes (see
/// [`Brief::themes`]), the context's centres being the areas'; a label any of `themes` carries
/// is not used. What it did is added to `run`.
pub fn label_areas(
    areas: &mut [ParentTheme],
    themes: &[Theme],
    inputs: &[Option<ThemeInput>],
    writer: &mut dyn Writer,
    context: &Context,
    run: &mut Generation,
) -> Result<(), GenerateError> {
    let taken = themes.iter().map(|t| t.label.to_lowercase()).collect();
    let named = areas.iter_mut().map(Named::from).collect();
    let done = label_named(named, taken, inputs, writer, (&run.model, &run.model_id), context)?;
    run.areas += done.themes;
    run.areas_generated += done.generated;
    run.cached += done.cached;
    run.asked += done.asked;
    run.read_tokens += done.read_tokens;
    run.generated_tokens += done.generated_tokens;
    run.seconds += done.seconds;
    for (why, n) in done.rejections {
        *run.rejections.entry(why).or_insert(0) += n;
    }
    run.count_rate();
    Ok(())
}

/// [`label_themes`] for any labelled things; a label in `taken` (lower case) is not used.
fn label_named(
    mut themes: Vec<Named>,
    taken: HashSet<String>,
    inputs: &[Option<ThemeInput>],
    writer: &mut dyn Writer,
    model: (&str, &str),
    context: &Context,
) -> Result<Generation, GenerateError> {
    let (name, model_id) = model;
    let mut run = Generation { model: name.to_string(), model_id: model_id.to_string(), ..Generation::default() };
    let mut in_use = taken;
    in_use.extend(themes.iter().zip(inputs).filter(|(_, input)| input.is_none()).map(|(t, _)| t.label.to_lowercase()));
    let mut pending: Vec<(usize, Request)> = Vec::new();
    for (position, input) in inputs.iter().enumerate() {
        let Some(input) = input else { continue };
        run.themes += 1;
        if let Some((label, description)) = &input.previous {
            let chosen = choose(std::slice::from_ref(label), position, input, &in_use, context, &mut run)?;
            if let Ok(label) = chosen {
                in_use.insert(label.to_lowercase());
                let theme = &mut themes[position];
                *theme.label = label;
                *theme.source = LabelOrigin::Generated;
                *theme.description = description.clone().filter(|d| check::description_supported(d, &input.evidence));
                run.kept += 1;
                run.descriptions += usize::from(theme.description.is_some());
                continue;
            }
        }
        pending.push((position, Request { prompt: prompt::prompt(&input.brief, &[]), grammar: None }));
    }
    for round in 0..2 {
        if pending.is_empty() {
            break;
        }
        let answers = answer(&pending, writer, model_id, context, &mut run)?;
        let mut again = Vec::new();
        for ((position, request), text) in pending.iter().zip(answers) {
            let position = *position;
            let input = inputs[position].as_ref().expect("only themes with inputs are asked about");
            let Some(answer) = prompt::read_answer(&text) else {
                *run.rejections.entry("unreadable".into()).or_insert(0) += 1;
                if request.grammar.is_none() {
                    again.push((position, Request { grammar: Some(prompt::GRAMMAR), ..request.clone() }));
                } else {
                    run.fell_back += 1;
                }
                continue;
            };
            match choose(&answer.labels, position, input, &in_use, context, &mut run)? {
                Ok(label) => {
                    in_use.insert(label.to_lowercase());
                    let theme = &mut themes[position];
                    *theme.label = label;
                    *theme.source = LabelOrigin::Generated;
                    *theme.description = check::description_supported(&answer.description, &input.evidence)
                        .then(|| answer.description.clone());
                    run.descriptions += usize::from(theme.description.is_some());
                }
                Err(Rejection::InUse) if round == 0 => {
                    let avoid: Vec<String> =
                        answer.labels.iter().filter(|l| in_use.contains(&l.to_lowercase())).cloned().collect();
                    again.push((position, Request { prompt: prompt::prompt(&input.brief, &avoid), ..request.clone() }));
                }
                Err(_) => run.fell_back += 1,
            }
        }
        pending = again;
    }
    run.generated = themes.iter().filter(|t| *t.source == LabelOrigin::Generated).count();
    run.count_rate();
    Ok(run)
}

/// The answers to `pending`: from the store where it has them, else from the model (then
/// stored).
fn answer(
    pending: &[(usize, Request)],
    writer: &mut dyn Writer,
    model_id: &str,
    context: &Context,
    run: &mut Generation,
) -> Result<Vec<String>, GenerateError> {
    let mut answers: Vec<Option<String>> = Vec::with_capacity(pending.len());
    for (_, request) in pending {
        answers.push(context.cache.get(&request.key(model_id))?);
    }
    let missing: Vec<usize> = (0..pending.len()).filter(|&i| answers[i].is_none()).collect();
    run.cached += pending.len() - missing.len();
    if !missing.is_empty() {
        let requests: Vec<Request> = missing.iter().map(|&i| pending[i].1.clone()).collect();
        let bar = crate::progress::bar_if(context.progress, requests.len() as u64, "generate");
        let start = Instant::now();
        let written = writer.write(&requests, &bar)?;
        bar.finish_and_clear();
        run.seconds += start.elapsed().as_secs_f64();
        run.asked += requests.len();
        for (i, w) in missing.into_iter().zip(written) {
            run.read_tokens += w.read_tokens;
            run.generated_tokens += w.generated_tokens;
            context.cache.put(&pending[i].1.key(model_id), &w.text)?;
            answers[i] = Some(w.text);
        }
    }
    Ok(answers.into_iter().map(Option::unwrap_or_default).collect())
}

/// The candidate to use for the theme at `position`: of those that pass the word checks and
/// whose meaning is nearest this theme's centre, the one with the widest margin over the next
/// theme's; a candidate another theme carries is skipped. The error is why the last candidate
/// failed ([`Rejection::InUse`] when every one that passed is taken).
fn choose(
    candidates: &[String],
    position: usize,
    input: &ThemeInput,
    in_use: &HashSet<String>,
    context: &Context,
    run: &mut Generation,
) -> Result<Result<String, Rejection>, GenerateError> {
    let refuse = |why: Rejection, run: &mut Generation| {
        let name = match &why {
            Rejection::Length(_) => "length",
            Rejection::Filler(_) => "filler",
            Rejection::Unsupported(_) => "unsupported",
            Rejection::Place(_) => "place",
            Rejection::NearerTheme => "nearer another theme",
            Rejection::InUse => "in use",
        };
        *run.rejections.entry(name.to_string()).or_insert(0) += 1;
        why
    };
    let mut last = Rejection::Length(0);
    let candidates: Vec<String> = candidates.iter().map(|c| sentence_case(c, context.writes_lower)).collect();
    let mut worded: Vec<&str> = Vec::new();
    for candidate in &candidates {
        match check::check_words(candidate, &input.evidence, context.stop, context.is_place) {
            Ok(()) => worded.push(candidate),
            Err(why) => last = refuse(why, run),
        }
    }
    if worded.is_empty() {
        return Ok(Err(last));
    }
    let vectors = context.vectors.vectors(&worded)?;
    let sims = vectors.dot(&context.centres.t());
    let mut best: Option<(f32, &str)> = None;
    for (row, candidate) in sims.rows().into_iter().zip(&worded) {
        let own = row[position];
        let other = row.iter().enumerate().filter(|&(j, _)| j != position).map(|(_, &s)| s).fold(f32::MIN, f32::max);
        if own <= other {
            last = refuse(Rejection::NearerTheme, run);
        } else if in_use.contains(&candidate.to_lowercase()) {
            last = refuse(Rejection::InUse, run);
        } else if best.is_none_or(|(margin, _)| own - other > margin) {
            best = Some((own - other, candidate));
        }
    }
    Ok(best.map(|(_, c)| c.to_string()).ok_or(last))
}

/// `label` in sentence case: its first letter capitalised, and every later word written
/// Capitalised that the corpus mostly writes in lower case lowered ("Digital Services" →
/// "Digital services"); names and acronyms ("COVID-19", "easyJet") stay as written.
fn sentence_case(label: &str, writes_lower: &dyn Fn(&str) -> bool) -> String {
    let words: Vec<&str> = label.split_whitespace().collect();
    let mut out: Vec<String> = vec![String::new(); words.len()];
    // From the end, so that a word before a name that stays stays with it ("Cabo Verde").
    let mut next_named = false;
    for (i, word) in words.iter().enumerate().rev() {
        let mut chars = word.chars();
        let first = chars.next().expect("split_whitespace gives no empty word");
        let rest: String = chars.collect();
        let plain = first.is_uppercase() && !rest.chars().any(char::is_uppercase);
        let lower = word.to_lowercase();
        let bare = lower.trim_matches(|c: char| !c.is_alphanumeric());
        let lowered = i > 0 && plain && !next_named && writes_lower(bare);
        next_named = first.is_uppercase() && !lowered;
        out[i] = match i {
            0 => first.to_uppercase().chain(rest.chars()).collect(),
            _ if lowered => lower,
            _ => word.to_string(),
        };
    }
    out.join(" ")
}

/// The previous run's theme of each id in `kept` (themes essentially unchanged), when its
/// label was generated.
pub fn previous_generated(
    kept: impl IntoIterator<Item = ThemeId>,
    past: &[crate::themes::continuity::PastTheme],
) -> std::collections::HashMap<ThemeId, &crate::themes::continuity::PastTheme> {
    kept.into_iter()
        .filter_map(|id| past.iter().find(|p| p.id == id && p.label_source == LabelOrigin::Generated))
        .map(|p| (p.id, p))
        .collect()
}

#[cfg(test)]
mod tests;
