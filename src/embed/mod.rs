//! Sentence embeddings: a sentence-transformers model run in Rust, with whole-document pooling.

pub mod bert;
pub mod model;
#[cfg(feature = "rust-bert")]
pub mod rustbert;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use indicatif::ProgressBar;
use ndarray::Array2;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use tokenizers::Tokenizer;

use bert::Bert;
pub use model::{ModelFiles, Pooling};

/// Errors of the embedding stage.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("model: {0}")]
    Model(String),
    #[error("could not obtain the model: {0}")]
    Fetch(String),
    #[error("tokenizer: {0}")]
    Tokenizer(String),
}

impl EmbedError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        EmbedError::Io { path: path.display().to_string(), source }
    }
}

/// How much of a text a vector covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// Exactly what sentence-transformers does: the first window only.
    FirstWindow,
    /// The whole text in consecutive windows, pooled (weighted by tokens) and renormalised;
    /// `max_tokens` caps the content tokens read per text.
    Whole { max_tokens: Option<usize> },
}

/// Which code runs the transformer. Tokenising, windows and pooling are shared, so every
/// backend reads the same tokens and gives the same vectors.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Backend {
    /// The built-in encoder (pure Rust, always available, the fastest measured here).
    #[default]
    Native,
    /// rust-bert on libtorch; present only in builds with the cargo feature `rust-bert`.
    RustBert,
}

impl Backend {
    /// Every backend this build contains.
    pub fn built() -> Vec<Backend> {
        let mut all = vec![Backend::Native];
        if cfg!(feature = "rust-bert") {
            all.push(Backend::RustBert);
        }
        all
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Native => "native",
            Backend::RustBert => "rust-bert",
        }
    }
}

impl std::str::FromStr for Backend {
    type Err = String;

    fn from_str(s: &str) -> Result<Backend, String> {
        match s {
            "native" => Ok(Backend::Native),
            "rust-bert" => Ok(Backend::RustBert),
            other => Err(format!("unknown backend {other:?}: native or rust-bert")),
        }
    }
}

/// The transformer of a loaded model, whichever backend runs it.
trait Encoder: Send + Sync {
    fn config(&self) -> &bert::BertConfig;
    /// Token ids must be below this.
    fn vocab_size(&self) -> usize;
    /// Last hidden state of one sequence, `tokens.len() × hidden_size`, row-major.
    fn forward(&self, tokens: &[u32]) -> Result<Vec<f32>, EmbedError>;
}

impl Encoder for Bert {
    fn config(&self) -> &bert::BertConfig {
        &self.config
    }
    fn vocab_size(&self) -> usize {
        Bert::vocab_size(self)
    }
    fn forward(&self, tokens: &[u32]) -> Result<Vec<f32>, EmbedError> {
        Ok(Bert::forward(self, tokens))
    }
}

fn load_encoder(dir: &Path, backend: Backend) -> Result<Box<dyn Encoder>, EmbedError> {
    match backend {
        Backend::Native => Ok(Box::new(Bert::load(dir)?)),
        #[cfg(feature = "rust-bert")]
        Backend::RustBert => Ok(Box::new(rustbert::RustBert::load(dir)?)),
        #[cfg(not(feature = "rust-bert"))]
        Backend::RustBert => Err(EmbedError::Model(
            "this build has no rust-bert backend: rebuild with `cargo build --release --features rust-bert` \
             (see the README for the libtorch it needs)"
                .into(),
        )),
    }
}

/// A loaded model, ready to embed texts from many threads.
pub struct Embedder {
    files: ModelFiles,
    tokenizer: Tokenizer,
    encoder: Box<dyn Encoder>,
    backend: Backend,
    window: usize,
    cls: Vec<u32>,
    sep: Vec<u32>,
    id: String,
}

impl Embedder {
    /// Loads the model named by `--model` (see [`model::locate`]).
    pub fn load(model: Option<&str>, backend: Backend) -> Result<Embedder, EmbedError> {
        Self::from_files(model::locate(model)?, backend)
    }

    /// Loads a model from an already located folder.
    pub fn from_files(files: ModelFiles, backend: Backend) -> Result<Embedder, EmbedError> {
        let tok_path = files.dir.join("tokenizer.json");
        let mut tokenizer = Tokenizer::from_file(&tok_path)
            .map_err(|e| EmbedError::Tokenizer(format!("{}: {e}", tok_path.display())))?;
        // tokenizer.json often declares its own truncation/padding (128 for MiniLM); the
        // sentence-transformers window is applied here instead.
        tokenizer.with_truncation(None).map_err(|e| EmbedError::Tokenizer(e.to_string()))?;
        tokenizer.with_padding(None);
        let encoder = load_encoder(&files.dir, backend)?;
        let window = files.max_seq_length.unwrap_or(usize::MAX).min(encoder.config().max_tokens()?);
        let empty = tokenizer.encode("", true).map_err(|e| EmbedError::Tokenizer(e.to_string()))?;
        let ids = empty.get_ids();
        // Specials wrap every window: [CLS] … [SEP] for BERT, <s> … </s> for XLM-R.
        let (cls, sep) = match ids.len() {
            0 => (vec![], vec![]),
            1 => (ids.to_vec(), vec![]),
            _ => (ids[..1].to_vec(), ids[1..].to_vec()),
        };
        if window <= cls.len() + sep.len() {
            return Err(EmbedError::Model("max_seq_length leaves no room for text".into()));
        }
        let id = model_id(&files)?;
        Ok(Embedder { files, tokenizer, encoder, backend, window, cls, sep, id })
    }

    /// Identifies the model's weights and settings, for cache keys.
    pub fn model_id(&self) -> &str {
        &self.id
    }

    /// Short model name for reports.
    pub fn name(&self) -> &str {
        &self.files.name
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn dim(&self) -> usize {
        self.encoder.config().hidden_size
    }

    /// Tokens per window, specials included.
    pub fn window(&self) -> usize {
        self.window
    }

    /// Token ids of `text` with the special tokens, untruncated. An id beyond the model's
    /// vocabulary means the tokenizer belongs to another model: an error, never a clamp.
    pub fn tokenize(&self, text: &str) -> Result<Vec<u32>, EmbedError> {
        let enc = self.tokenizer.encode(text, true).map_err(|e| EmbedError::Tokenizer(e.to_string()))?;
        let vocab = self.encoder.vocab_size();
        match enc.get_ids().iter().find(|&&id| id as usize >= vocab) {
            Some(id) => Err(EmbedError::Model(format!(
                "{}: tokenizer.json gives token id {id} but the model's vocabulary has {vocab} entries; \
                 the tokenizer belongs to another model",
                self.files.dir.display()
            ))),
            None => Ok(enc.get_ids().to_vec()),
        }
    }

    /// The windows a text is read in, each with its specials.
    fn windows(&self, ids: &[u32], coverage: Coverage) -> Vec<Vec<u32>> {
        let content = &ids[self.cls.len()..ids.len() - self.sep.len()];
        let room = self.window - self.cls.len() - self.sep.len();
        let wrap = |chunk: &[u32]| [self.cls.as_slice(), chunk, self.sep.as_slice()].concat();
        match coverage {
            Coverage::FirstWindow => vec![wrap(&content[..content.len().min(room)])],
            Coverage::Whole { max_tokens } => {
                let content = &content[..content.len().min(max_tokens.unwrap_or(usize::MAX))];
                if content.is_empty() {
                    return vec![wrap(content)];
                }
                content.chunks(room).map(wrap).collect()
            }
        }
    }

    /// Encodes one window of ids and pools it into a sentence vector (normalised if the model
    /// says so).
    fn embed_window(&self, ids: &[u32]) -> Result<Vec<f32>, EmbedError> {
        let hidden = self.encoder.forward(ids)?;
        let h = self.dim();
        let n = ids.len();
        let mut v = vec![0.0f32; h];
        match self.files.pooling {
            Pooling::Cls => v.copy_from_slice(&hidden[..h]),
            Pooling::Max => {
                v.fill(f32::NEG_INFINITY);
                for row in hidden.chunks_exact(h) {
                    v.iter_mut().zip(row).for_each(|(a, b)| *a = a.max(*b));
                }
            }
            Pooling::Mean | Pooling::MeanSqrtLen => {
                for row in hidden.chunks_exact(h) {
                    v.iter_mut().zip(row).for_each(|(a, b)| *a += b);
                }
                let div = if self.files.pooling == Pooling::Mean { n as f32 } else { (n as f32).sqrt() };
                v.iter_mut().for_each(|a| *a /= div);
            }
        }
        if v.iter().any(|x| !x.is_finite()) {
            return Err(EmbedError::Model(format!(
                "{}: the model gives non-finite values (NaN or infinite weights?)",
                self.files.dir.display()
            )));
        }
        if self.files.normalize {
            normalize(&mut v);
        }
        Ok(v)
    }

    /// Embeds many texts on all cores, longest first so the cores finish together.
    /// `progress` advances by one per finished text.
    pub fn embed_texts(
        &self,
        texts: &[&str],
        coverage: Coverage,
        progress: &ProgressBar,
    ) -> Result<Array2<f32>, EmbedError> {
        let windows: Vec<Vec<Vec<u32>>> = texts
            .par_iter()
            .map(|t| self.tokenize(t).map(|ids| self.windows(&ids, coverage)))
            .collect::<Result<_, _>>()?;
        let mut units: Vec<(usize, usize)> =
            windows.iter().enumerate().flat_map(|(doc, ws)| (0..ws.len()).map(move |w| (doc, w))).collect();
        units.sort_by_key(|&(doc, w)| std::cmp::Reverse(windows[doc][w].len()));
        let remaining: Vec<AtomicUsize> = windows.iter().map(|ws| AtomicUsize::new(ws.len())).collect();
        let mut vectors: Vec<(usize, usize, Vec<f32>)> = units
            .par_iter()
            .map(|&(doc, w)| {
                let v = self.embed_window(&windows[doc][w])?;
                if remaining[doc].fetch_sub(1, Ordering::Relaxed) == 1 {
                    progress.inc(1);
                }
                Ok((doc, w, v))
            })
            .collect::<Result<_, EmbedError>>()?;
        vectors.sort_by_key(|&(doc, w, _)| (doc, w));
        let dim = self.dim();
        let mut out = Array2::<f32>::zeros((texts.len(), dim));
        for (doc, w, v) in vectors {
            let weight = windows[doc][w].len() as f32;
            out.row_mut(doc).iter_mut().zip(&v).for_each(|(a, b)| *a += weight * b);
        }
        normalize_rows(&mut out);
        Ok(out)
    }
}

/// Scales every row of `m` to unit length (zero rows stay zero).
pub fn normalize_rows(m: &mut Array2<f32>) {
    for mut row in m.rows_mut() {
        normalize(row.as_slice_mut().expect("rows of a standard-layout array are contiguous"));
    }
}

/// Scales `v` to unit length (leaves a zero vector alone).
pub fn normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

/// Model identity: folder name plus a hash of its configuration and weight layout. Hashing the
/// safetensors header (names, shapes, offsets) and file size, not 90+ MB of weights, keeps
/// start-up fast while any re-export or different checkpoint still changes the id.
fn model_id(files: &ModelFiles) -> Result<String, EmbedError> {
    let mut hasher = Sha256::new();
    for name in ["config.json", "tokenizer.json", "sentence_bert_config.json", "modules.json"] {
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

#[cfg(test)]
mod tests {
    use super::*;
    use safetensors::tensor::TensorView;
    use safetensors::Dtype;
    use tokenizers::models::wordlevel::WordLevel;
    use tokenizers::pre_tokenizers::whitespace::Whitespace;
    use tokenizers::processors::template::TemplateProcessing;

    const WORDS: [&str; 6] = ["[CLS]", "[SEP]", "[UNK]", "solar", "water", "farm"];

    /// A tiny BERT folder: hidden size 4, one layer, a word-level tokenizer over `WORDS`,
    /// `vocab_rows` rows of word embeddings, the position table `config` declares, weights from a
    /// fixed pattern (NaN when `nan`).
    fn tiny_model(dir: &Path, vocab_rows: usize, nan: bool, config: &str) {
        let declared: serde_json::Value = serde_json::from_str(config).unwrap();
        let positions = declared["max_position_embeddings"].as_u64().unwrap_or(16) as usize;
        let vocab = WORDS.iter().enumerate().map(|(i, w)| (w.to_string(), i as u32)).collect();
        let model = WordLevel::builder().vocab(vocab).unk_token("[UNK]".into()).build().unwrap();
        let mut tokenizer = Tokenizer::new(model);
        tokenizer.with_pre_tokenizer(Some(Whitespace {}));
        let template = TemplateProcessing::builder()
            .try_single("[CLS] $A [SEP]")
            .unwrap()
            .special_tokens(vec![("[CLS]", 0), ("[SEP]", 1)])
            .build()
            .unwrap();
        tokenizer.with_post_processor(Some(template));
        tokenizer.save(dir.join("tokenizer.json"), false).unwrap();
        std::fs::write(dir.join("config.json"), config).unwrap();
        let h = 4;
        let shapes: Vec<(String, Vec<usize>)> = [
            ("embeddings.word_embeddings.weight", vec![vocab_rows, h]),
            ("embeddings.position_embeddings.weight", vec![positions, h]),
            ("embeddings.token_type_embeddings.weight", vec![2, h]),
            ("embeddings.LayerNorm.weight", vec![h]),
            ("embeddings.LayerNorm.bias", vec![h]),
        ]
        .into_iter()
        .map(|(n, s)| (n.to_string(), s))
        .chain(
            [
                ("attention.self.query", h, h),
                ("attention.self.key", h, h),
                ("attention.self.value", h, h),
                ("attention.output.dense", h, h),
                ("intermediate.dense", h, h),
                ("output.dense", h, h),
            ]
            .into_iter()
            .flat_map(|(n, o, i)| {
                [(format!("encoder.layer.0.{n}.weight"), vec![o, i]), (format!("encoder.layer.0.{n}.bias"), vec![o])]
            }),
        )
        .chain(["attention.output.LayerNorm", "output.LayerNorm"].into_iter().flat_map(|n| {
            [(format!("encoder.layer.0.{n}.weight"), vec![h]), (format!("encoder.layer.0.{n}.bias"), vec![h])]
        }))
        .collect();
        let data: Vec<(String, Vec<u8>, Vec<usize>)> = shapes
            .into_iter()
            .map(|(name, shape)| {
                let len: usize = shape.iter().product();
                let bytes = (0..len)
                    .flat_map(|i| if nan { f32::NAN } else { ((i * 7 % 11) as f32 - 5.0) / 10.0 }.to_le_bytes())
                    .collect();
                (name, bytes, shape)
            })
            .collect();
        let views: Vec<(String, TensorView)> = data
            .iter()
            .map(|(name, bytes, shape)| (name.clone(), TensorView::new(Dtype::F32, shape.clone(), bytes).unwrap()))
            .collect();
        std::fs::write(dir.join("model.safetensors"), safetensors::serialize(views, None).unwrap()).unwrap();
    }

    const CONFIG: &str = r#"{"hidden_size": 4, "num_attention_heads": 1, "num_hidden_layers": 1,
        "intermediate_size": 4, "max_position_embeddings": 16, "model_type": "bert"}"#;

    fn load(dir: &Path) -> Result<Embedder, EmbedError> {
        Embedder::from_files(model::read_model_dir(dir)?, Backend::Native)
    }

    fn embed(embedder: &Embedder, text: &str) -> Result<Array2<f32>, EmbedError> {
        embedder.embed_texts(&[text], Coverage::FirstWindow, &ProgressBar::hidden())
    }

    #[test]
    fn a_well_formed_tiny_model_gives_finite_vectors() {
        let dir = tempfile::tempdir().unwrap();
        tiny_model(dir.path(), WORDS.len(), false, CONFIG);
        let embedder = load(dir.path()).unwrap();
        let v = embed(&embedder, "solar water farm").unwrap();
        assert_eq!(v.ncols(), 4);
        assert!(v.iter().all(|x| x.is_finite()));
    }

    #[test]
    fn nan_weights_are_an_error_not_a_vector() {
        let dir = tempfile::tempdir().unwrap();
        tiny_model(dir.path(), WORDS.len(), true, CONFIG);
        let err = embed(&load(dir.path()).unwrap(), "solar water").unwrap_err().to_string();
        assert!(err.contains("non-finite"), "{err}");
    }

    #[test]
    fn a_tokenizer_from_another_model_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        // The weights know 4 tokens; the tokenizer gives ids up to 5.
        tiny_model(dir.path(), 4, false, CONFIG);
        let err = embed(&load(dir.path()).unwrap(), "solar farm").unwrap_err().to_string();
        assert!(err.contains("belongs to another model"), "{err}");
    }

    #[test]
    fn broken_configurations_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let odd = r#"{"hidden_size": 4, "num_attention_heads": 1, "num_hidden_layers": 1, "intermediate_size": 4,
            "max_position_embeddings": 1, "model_type": "xlm-roberta", "pad_token_id": 1}"#;
        tiny_model(dir.path(), WORDS.len(), false, odd);
        let err = load(dir.path()).err().expect("an error, not a panic").to_string();
        assert!(err.contains("max_position_embeddings"), "{err}");
        tiny_model(dir.path(), WORDS.len(), false, r#"{"hidden_size": 4}"#);
        let err = load(dir.path()).err().expect("an error, not a panic").to_string();
        assert!(err.contains("config.json"), "{err}");
        tiny_model(
            dir.path(),
            WORDS.len(),
            false,
            &CONFIG.replace("\"num_attention_heads\": 1", "\"num_attention_heads\": 3"),
        );
        assert!(load(dir.path()).is_err(), "heads must divide the hidden size");
    }
}
