//! The embedding stage's errors. Each names what it concerns (a file, a folder, a model) and
//! keeps the error that caused it as its `source()`, which its own message leaves out (a report
//! of the whole chain, as the CLI prints, says each cause once). None names a command-line flag,
//! so the CLI can add its own hints.

use std::path::PathBuf;

use safetensors::{Dtype, SafeTensorError};

use super::e5::E5Error;
use super::fetch::FetchError;
use super::options::OptionsError;
use super::universal::UniversalError;

/// Errors of the embedding stage.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("{}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("model: {}", path.display())]
    Json { path: PathBuf, source: serde_json::Error },
    #[error("model: {}", path.display())]
    Safetensors { path: PathBuf, source: SafeTensorError },
    #[error("model: {}: tensor {name}: {problem}", path.display())]
    Tensor { path: PathBuf, name: String, problem: TensorProblem },
    /// A model's configuration or weight file describes a model this code cannot run.
    #[error("model: {}: {problem}", path.display())]
    Config { path: PathBuf, problem: ConfigProblem },
    #[error(
        "model: {}: missing {file}; a sentence-transformers folder needs config.json, tokenizer.json and \
         model.safetensors",
        dir.display()
    )]
    MissingFile { dir: PathBuf, file: &'static str },
    #[error(
        "model: model {requested:?} not found: give a path to a sentence-transformers folder (config.json, \
         tokenizer.json, model.safetensors), put it in {}, or name one themescope obtains by itself ({})",
        models_dir.display(),
        known.join(", ")
    )]
    NotFound { requested: String, models_dir: PathBuf, known: Vec<&'static str> },
    #[error("tokenizer: {}", path.display())]
    Tokenizer { path: PathBuf, source: tokenizers::Error },
    #[error(
        "model: {}: tokenizer.json gives token id {id} but the model's vocabulary has {vocab} entries; the \
         tokenizer belongs to another model",
        dir.display()
    )]
    ForeignTokenizer { dir: PathBuf, id: u32, vocab: usize },
    #[error("model: {}: the model gives non-finite values (NaN or infinite weights?)", dir.display())]
    NonFinite { dir: PathBuf },
    /// What was asked of a model that its encoder family, or this build, does not offer.
    #[error("model: {0}")]
    Unsupported(Unsupported),
    /// A backend's own failure (e.g. libtorch's), with what it was doing.
    #[error("model: {context}")]
    Backend { context: String, source: Box<dyn std::error::Error + Send + Sync> },
    #[error(
        "could not obtain the model into {} (to install it by hand: {by_hand}; or use any local \
         sentence-transformers folder by its path)",
        dir.display()
    )]
    Fetch { dir: PathBuf, by_hand: &'static str, source: Box<EmbedError> },
    #[error(transparent)]
    Download(#[from] FetchError),
    #[error("multilingual-e5-small")]
    Assemble(#[from] E5Error),
    #[error("use-multilingual-v3")]
    AssembleUniversal(#[from] UniversalError),
    #[error(transparent)]
    Options(#[from] OptionsError),
    #[error("model: {}: a model is already there", path.display())]
    Occupied { path: PathBuf },
    #[error("model: {model} is already a static model")]
    AlreadyStatic { model: String },
    #[error("model: no token vectors to reduce")]
    NoTokenVectors,
    #[error("model: PCA of the token vectors")]
    Pca { source: linfa_linalg::LinalgError },
    #[error("model: fitting to pages: their kernel with the ridge is not positive definite (pivot {pivot})")]
    FitNotPositiveDefinite { pivot: usize },
}

impl EmbedError {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        EmbedError::Io { path: path.to_path_buf(), source }
    }

    pub(crate) fn json(path: &std::path::Path, source: serde_json::Error) -> Self {
        EmbedError::Json { path: path.to_path_buf(), source }
    }

    pub(crate) fn safetensors(path: &std::path::Path, source: SafeTensorError) -> Self {
        EmbedError::Safetensors { path: path.to_path_buf(), source }
    }

    pub(crate) fn tokenizer(path: &std::path::Path, source: tokenizers::Error) -> Self {
        EmbedError::Tokenizer { path: path.to_path_buf(), source }
    }

    pub(crate) fn config(path: &std::path::Path, problem: ConfigProblem) -> Self {
        EmbedError::Config { path: path.to_path_buf(), problem }
    }

    pub(crate) fn tensor(path: &std::path::Path, name: &str, problem: TensorProblem) -> Self {
        EmbedError::Tensor { path: path.to_path_buf(), name: name.to_string(), problem }
    }

    #[cfg(feature = "rust-bert")]
    pub(crate) fn backend(context: impl Into<String>, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        EmbedError::Backend { context: context.into(), source: Box::new(source) }
    }
}

/// What is wrong with one tensor of a weight file.
#[derive(Debug, thiserror::Error)]
pub enum TensorProblem {
    #[error("{0}")]
    Missing(SafeTensorError),
    #[error("shape {found:?}, expected {expected}")]
    Shape { found: Vec<usize>, expected: String },
    #[error("dtype {0:?} is not supported (F32, F16, BF16 are)")]
    Dtype(Dtype),
}

/// What in a model's files describes a model this code cannot run.
#[derive(Debug, thiserror::Error)]
pub enum ConfigProblem {
    #[error("max_position_embeddings ({positions}) leaves no positions after the offset of {offset} ({model_type})")]
    NoPositions { positions: usize, offset: usize, model_type: String },
    #[error("hidden_size ({hidden}) not divisible by heads ({heads})")]
    Heads { hidden: usize, heads: usize },
    #[error("activation {0:?} is not supported")]
    Activation(String),
    #[error("model_type {model_type:?} is not supported by the {backend} backend ({supported} are)")]
    ModelType { model_type: String, backend: &'static str, supported: &'static str },
    #[error("no embeddings.word_embeddings.weight: not a BERT-family model")]
    NotBertFamily,
    #[error("safetensors header is implausibly large")]
    HeaderTooLarge,
    #[error("not a safetensors file ({0})")]
    NotSafetensors(serde_json::Error),
    #[error("embeddings.scale is empty: the word table has no code groups")]
    NoCodeGroups,
    #[error("max_seq_length ({window}) leaves no room for text after {specials} special tokens")]
    NoRoom { window: usize, specials: usize },
}

/// What an encoder family, or this build, does not offer.
#[derive(Debug, thiserror::Error)]
pub enum Unsupported {
    #[error("{model}: {family} runs in {supported} only, not {precision}")]
    Precision { model: String, family: &'static str, supported: String, precision: &'static str },
    #[error(
        "this build has no {backend} backend: rebuild with `cargo build --release --features {feature}` (see \
         docs/models.md for {needs})"
    )]
    NotBuilt { backend: &'static str, feature: &'static str, needs: &'static str },
    #[error("{model}: no encoder runs a {kind} model on the {backend} backend")]
    NoFamily { model: String, kind: &'static str, backend: &'static str },
    /// The int8 kernel asked for (by name, in the environment) cannot run here.
    #[error("{0}")]
    Int8Kernel(String),
}

#[cfg(test)]
mod tests {
    use std::error::Error;

    use super::*;

    #[test]
    fn a_cause_is_told_once_along_the_chain() {
        let cause = serde_json::from_str::<u32>("x").unwrap_err();
        let told = cause.to_string();
        let err = EmbedError::json(std::path::Path::new("m/config.json"), cause);
        let mut chain = vec![err.to_string()];
        let mut cause = err.source();
        while let Some(e) = cause {
            chain.push(e.to_string());
            cause = e.source();
        }
        assert_eq!(chain, ["model: m/config.json".to_string(), told]);
    }
}
