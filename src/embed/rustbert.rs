//! The rust-bert backend (cargo feature `rust-bert`): rust-bert's sentence-embedding transformer
//! on libtorch.
//!
//! rust-bert's `SentenceEmbeddingsModel` takes strings, tokenises them with its own tokenizer and
//! cuts them at the window. Whole-document vectors need token windows, and every backend must read
//! exactly the same tokens, so this runs the transformer that pipeline wraps
//! (`SentenceEmbeddingsOption`) on the ids of the shared tokenizer; pooling is shared too.

use std::path::Path;
use std::sync::Mutex;

use rust_bert::pipelines::common::{ConfigOption, ModelType};
use rust_bert::pipelines::sentence_embeddings::SentenceEmbeddingsOption;
use tch::nn::VarStore;
use tch::{Device, Kind, Tensor};
use tokenizers::Tokenizer;

use super::bert::{weight_prefix, BertConfig};
use super::encoder::Encoder;
use super::error::ConfigProblem;
use super::model::ModelFiles;
use super::options::Precision;
use super::EmbedError;

/// The transformer of a sentence-transformers folder, loaded into libtorch.
pub struct RustBert {
    /// libtorch tensors are `Send` but not `Sync`: one forward pass at a time, each using
    /// libtorch's own threads.
    model: Mutex<(SentenceEmbeddingsOption, VarStore)>,
    device: Device,
    config: BertConfig,
    vocab: usize,
}

impl RustBert {
    /// Loads `config.json` and `model.safetensors` (tch reads safetensors directly, so no
    /// `rust_model.ot` conversion is needed).
    pub fn load(dir: &Path) -> Result<RustBert, EmbedError> {
        let config_path = dir.join("config.json");
        let weights = dir.join("model.safetensors");
        let text = std::fs::read_to_string(&config_path).map_err(|e| EmbedError::io(&config_path, e))?;
        let bad_config = |e: serde_json::Error| EmbedError::json(&config_path, e);
        // One read of config.json serves both our settings and rust-bert's.
        let config: BertConfig = serde_json::from_str(&text).map_err(bad_config)?;
        let (model_type, options) = match config.model_type.as_str() {
            "bert" => (ModelType::Bert, ConfigOption::Bert(serde_json::from_str(&text).map_err(bad_config)?)),
            "roberta" | "xlm-roberta" => {
                (ModelType::Roberta, ConfigOption::Roberta(serde_json::from_str(&text).map_err(bad_config)?))
            }
            other => {
                let problem = ConfigProblem::ModelType {
                    model_type: other.to_string(),
                    backend: "rust-bert",
                    supported: "bert, roberta, xlm-roberta",
                };
                return Err(EmbedError::config(&config_path, problem));
            }
        };
        let prefix = weight_prefix(&weights)?;
        let device = Device::cuda_if_available();
        let mut store = VarStore::new(device);
        let root = prefix.trim_end_matches('.').split('.').filter(|p| !p.is_empty()).fold(store.root(), |p, s| p / s);
        let model = SentenceEmbeddingsOption::new(model_type, root, &options)
            .map_err(|e| EmbedError::backend(config_path.display().to_string(), e))?;
        store.load(&weights).map_err(|e| EmbedError::backend(weights.display().to_string(), e))?;
        let vocab = store
            .variables()
            .get(&format!("{prefix}embeddings.word_embeddings.weight"))
            .map(|t| t.size()[0] as usize)
            .ok_or_else(|| EmbedError::config(&weights, ConfigProblem::NotBertFamily))?;
        Ok(RustBert { model: Mutex::new((model, store)), device, config, vocab })
    }
}

impl Encoder for RustBert {
    fn hidden_size(&self) -> usize {
        self.config.hidden_size
    }

    fn max_tokens(&self) -> Result<usize, EmbedError> {
        self.config.max_tokens()
    }

    fn vocab_size(&self) -> usize {
        self.vocab
    }

    fn forward(&self, tokens: &[u32]) -> Result<Vec<f32>, EmbedError> {
        let ids: Vec<i64> = tokens.iter().map(|&t| t as i64).collect();
        let ids = Tensor::from_slice(&ids).unsqueeze(0).to(self.device);
        let mask = Tensor::ones([1, tokens.len() as i64], (Kind::Int64, self.device));
        let guard = self.model.lock().unwrap_or_else(|e| e.into_inner());
        let (hidden, _) = tch::no_grad(|| guard.0.forward(&ids, &mask))
            .map_err(|e| EmbedError::backend("rust-bert forward pass", e))?;
        drop(guard);
        let hidden = hidden.to_kind(Kind::Float).to(Device::Cpu).flatten(0, -1);
        Vec::<f32>::try_from(&hidden).map_err(|e| EmbedError::backend("rust-bert output", e))
    }
}

/// The rust-bert encoder of a transformer folder (see [`super::families`]), in fp32.
pub(super) fn load(files: &ModelFiles, _: Precision, _: &Tokenizer) -> Result<Box<dyn Encoder>, EmbedError> {
    Ok(Box::new(RustBert::load(&files.dir)?))
}
