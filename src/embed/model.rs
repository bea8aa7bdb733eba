//! Finding a sentence-transformers model folder, reading its settings and fingerprinting it;
//! known models are obtained when missing (see [`super::catalog`]).

use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

pub use super::catalog::DEFAULT_MODEL;
use super::{catalog, universal, EmbedError};

/// How a sentence-transformers model turns token vectors into one sentence vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pooling {
    Mean,
    Cls,
    Max,
    MeanSqrtLen,
}

/// What kind of model a folder holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelKind {
    /// A transformer encoder (BERT, XLM-R) with sentence-transformers' settings.
    Transformer,
    /// A static table of token vectors in model2vec's format (`config.json` `model_type`
    /// [`STATIC_MODEL_TYPE`]), e.g. one made by `themescope distill`.
    Static,
    /// The Universal Sentence Encoder (`model_type` [`universal::MODEL_TYPE`]): n-gram CNN and
    /// DAN over SentencePiece tokens.
    Universal,
}

/// model2vec's `model_type` in `config.json`: the folder holds a static model.
pub const STATIC_MODEL_TYPE: &str = "model2vec";

impl ModelKind {
    /// The kind in messages.
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Transformer => "transformer",
            ModelKind::Static => "static",
            ModelKind::Universal => "universal sentence encoder",
        }
    }
}

/// A model folder's sentence-transformers settings.
#[derive(Debug, Clone)]
pub struct ModelFiles {
    pub dir: PathBuf,
    pub kind: ModelKind,
    /// Short name for reports ("all-MiniLM-L6-v2").
    pub name: String,
    pub pooling: Pooling,
    pub normalize: bool,
    /// Window in tokens, specials included (sentence-transformers' `max_seq_length`).
    pub max_seq_length: Option<usize>,
    /// Text put before every input (the folder's default prompt, e.g. e5's "query: ").
    pub prompt: String,
    /// The model reads many languages (its model card says so, or its vocabulary is that of a
    /// multilingual tokenizer).
    pub multilingual: bool,
}

#[derive(Deserialize)]
struct PoolingConfig {
    #[serde(default)]
    pooling_mode_cls_token: bool,
    #[serde(default)]
    pooling_mode_mean_tokens: bool,
    #[serde(default)]
    pooling_mode_max_tokens: bool,
    #[serde(default)]
    pooling_mode_mean_sqrt_len_tokens: bool,
}

#[derive(Deserialize)]
struct ModuleEntry {
    path: String,
    #[serde(rename = "type")]
    kind: String,
}

/// The fields of `config.json` that say what kind of model a folder holds.
#[derive(Deserialize)]
struct ModelType {
    model_type: Option<String>,
    normalize: Option<bool>,
}

#[derive(Deserialize)]
struct SentenceBertConfig {
    max_seq_length: Option<usize>,
}

/// sentence-transformers' `config_sentence_transformers.json`: named prompts and the one used by
/// default.
#[derive(Deserialize, Default)]
struct PromptConfig {
    #[serde(default)]
    prompts: std::collections::HashMap<String, String>,
    default_prompt_name: Option<String>,
}

/// Where model folders live: `$THEMESCOPE_MODELS`, else `models` in the user's cache
/// ([`crate::cache_dir`]).
pub fn models_dir() -> PathBuf {
    std::env::var_os("THEMESCOPE_MODELS").map(PathBuf::from).unwrap_or_else(|| crate::cache_dir().join("models"))
}

/// Resolves a model asked for by path or name: an existing folder is used as is; a name is looked up in [`models_dir`];
/// a known model (the default, multilingual-e5-small) is obtained there when missing.
pub fn locate(model: Option<&str>) -> Result<ModelFiles, EmbedError> {
    let requested = model.unwrap_or(DEFAULT_MODEL);
    let as_path = Path::new(requested);
    if as_path.is_dir() {
        return read_model_dir(as_path);
    }
    let name = requested.rsplit('/').next().unwrap_or(requested);
    let dir = models_dir().join(name);
    if dir.join("config.json").is_file() {
        return read_model_dir(&dir);
    }
    if let Some(known) = catalog::known(name) {
        // One fetch per process even when several threads ask at once.
        static FETCH: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _guard = FETCH.lock().unwrap_or_else(|e| e.into_inner());
        if !dir.join("config.json").is_file() {
            known.install(&dir)?;
        }
        return read_model_dir(&dir);
    }
    Err(EmbedError::NotFound {
        requested: requested.to_string(),
        models_dir: models_dir(),
        known: catalog::KNOWN.iter().map(|k| k.name).collect(),
    })
}

/// Vocabularies this large belong to multilingual tokenizers (mBERT 119k, XLM-R 250k pieces);
/// English models have about 30k.
const MULTILINGUAL_VOCABULARY: usize = 100_000;

/// Whether a model folder's model reads many languages: its model card (README.md front matter)
/// tags it multilingual or lists several languages, or its tokenizer's vocabulary is that of a
/// multilingual one.
fn is_multilingual(dir: &Path) -> bool {
    let card = std::fs::read_to_string(dir.join("README.md")).unwrap_or_default();
    let front = card.strip_prefix("---").and_then(|rest| rest.split_once("\n---")).map(|(f, _)| f).unwrap_or("");
    let page = crate::ingest::parse::split_page(&format!("---{front}\n---\n"));
    let tags = page.metadata.get("tags").into_iter().flatten();
    let languages = page.metadata.get("language").map_or(0, Vec::len);
    if tags.into_iter().any(|t| t == "multilingual") || languages > 5 {
        return true;
    }
    #[derive(Deserialize)]
    struct Vocab {
        model: serde_json::Value,
    }
    std::fs::read(dir.join("tokenizer.json"))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Vocab>(&bytes).ok())
        .map(|t| match &t.model["vocab"] {
            serde_json::Value::Array(v) => v.len(),
            serde_json::Value::Object(v) => v.len(),
            _ => 0,
        })
        .is_some_and(|n| n >= MULTILINGUAL_VOCABULARY)
}

/// Reads the sentence-transformers configuration of a model folder.
pub fn read_model_dir(dir: &Path) -> Result<ModelFiles, EmbedError> {
    for needed in ["config.json", "tokenizer.json", "model.safetensors"] {
        if !dir.join(needed).is_file() {
            return Err(EmbedError::MissingFile { dir: dir.to_path_buf(), file: needed });
        }
    }
    let kind_of: Option<ModelType> = read_json_opt(&dir.join("config.json"))?;
    let model_type = kind_of.as_ref().and_then(|k| k.model_type.as_deref());
    let kind = match model_type {
        Some(STATIC_MODEL_TYPE) => ModelKind::Static,
        Some(universal::MODEL_TYPE) => ModelKind::Universal,
        _ => ModelKind::Transformer,
    };
    let modules: Vec<ModuleEntry> = read_json_opt(&dir.join("modules.json"))?.unwrap_or_default();
    let pooling_dir = modules
        .iter()
        .find(|m| m.kind.ends_with("Pooling"))
        .map(|m| dir.join(&m.path))
        .unwrap_or_else(|| dir.join("1_Pooling"));
    let pooling = match read_json_opt::<PoolingConfig>(&pooling_dir.join("config.json"))? {
        Some(p) if p.pooling_mode_cls_token => Pooling::Cls,
        Some(p) if p.pooling_mode_max_tokens => Pooling::Max,
        Some(p) if p.pooling_mode_mean_sqrt_len_tokens => Pooling::MeanSqrtLen,
        Some(p) if p.pooling_mode_mean_tokens => Pooling::Mean,
        _ => Pooling::Mean,
    };
    // model2vec states normalisation in config.json (on by default); sentence-transformers as a
    // module.
    let normalize = match kind {
        ModelKind::Static => kind_of.and_then(|k| k.normalize).unwrap_or(true),
        ModelKind::Transformer | ModelKind::Universal => modules.iter().any(|m| m.kind.ends_with("Normalize")),
    };
    let max_seq_length =
        read_json_opt::<SentenceBertConfig>(&dir.join("sentence_bert_config.json"))?.and_then(|c| c.max_seq_length);
    let name = dir
        .canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| dir.display().to_string());
    let prompts = read_json_opt::<PromptConfig>(&dir.join("config_sentence_transformers.json"))?.unwrap_or_default();
    let prompt = prompts.default_prompt_name.and_then(|n| prompts.prompts.get(&n).cloned()).unwrap_or_default();
    let multilingual = is_multilingual(dir);
    Ok(ModelFiles { dir: dir.to_path_buf(), kind, name, pooling, normalize, max_seq_length, prompt, multilingual })
}

fn read_json_opt<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Option<T>, EmbedError> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text).map(Some).map_err(|e| EmbedError::json(path, e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(EmbedError::io(path, e)),
    }
}

/// Model identity: folder name plus a hash of its configuration and weight layout. Hashing the
/// safetensors header (names, shapes, offsets) and file size, not 90+ MB of weights, keeps
/// start-up fast while any re-export or different checkpoint still changes the id.
pub(super) fn fingerprint(files: &ModelFiles) -> Result<String, EmbedError> {
    let mut hasher = Sha256::new();
    for name in [
        "config.json",
        "tokenizer.json",
        "sentence_bert_config.json",
        "modules.json",
        "config_sentence_transformers.json",
    ] {
        if let Ok(bytes) = std::fs::read(files.dir.join(name)) {
            hasher.update(&bytes);
        }
    }
    let weights = files.dir.join("model.safetensors");
    let mut file = std::fs::File::open(&weights).map_err(|e| EmbedError::io(&weights, e))?;
    let size = file.metadata().map_err(|e| EmbedError::io(&weights, e))?.len();
    let mut head = vec![0u8; (size as usize).min(1 << 20)];
    std::io::Read::read_exact(&mut file, &mut head).map_err(|e| EmbedError::io(&weights, e))?;
    hasher.update(&head);
    hasher.update(size.to_le_bytes());
    hasher.update(format!("{:?}|{}|{:?}", files.pooling, files.normalize, files.max_seq_length));
    let digest = hasher.finalize();
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    Ok(format!("{}@{hex}", files.name))
}
